"""The whole run, top to bottom: load -> validate -> ir -> models -> render -> format -> write.

Each stage reports problems into one :class:`~generator.diagnostics.Diagnostics`;
the pipeline stops before writing anything as soon as there are errors (or, with
``strict``, warnings), and the target folder is only ever replaced as a whole.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import ClientConfig
from generator.diagnostics import Diagnostic, Diagnostics, GenerationAborted, Level
from generator.ir import build_api
from generator.load import LoadedSpec, load_spec
from generator.models import generate_models
from generator.render import render_package
from generator.validate import validate_spec
from generator.write import (
    FormatError,
    TreeChange,
    compare_trees,
    discard,
    format_tree,
    publish,
    stage,
)

__all__ = ["Outcome", "StageReporter", "check_spec", "generate_client"]

#: called after each stage with its name and the seconds it took
StageReporter = Callable[[str, float], None]


@dataclass
class Outcome:
    """What a generate run did (or, with ``check``, would do)."""

    config: ClientConfig
    diagnostics: Diagnostics
    change: TreeChange | None = None
    operations: int = 0
    models: int = 0
    timings: list[tuple[str, float]] = field(default_factory=list)
    written: bool = False


@contextmanager
def _timed(name: str, outcome: Outcome, reporter: StageReporter | None) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        outcome.timings.append((name, elapsed))
        if reporter is not None:
            reporter(name, elapsed)


def check_spec(path: Path, diagnostics: Diagnostics) -> LoadedSpec | None:
    """Load and validate one spec; problems go into ``diagnostics``."""
    spec = load_spec(path, diagnostics)
    if spec is not None:
        validate_spec(spec, diagnostics)
    return spec


def generate_client(
    config: ClientConfig,
    *,
    check: bool = False,
    strict: bool = False,
    reporter: StageReporter | None = None,
) -> Outcome:
    """Generate one client package; raise :class:`GenerationAborted` when the spec forbids it."""
    diagnostics = Diagnostics(severity=dict(config.severity))
    outcome = Outcome(config=config, diagnostics=diagnostics)

    def stop_if_failed() -> None:
        if diagnostics.has_errors(strict=strict):
            raise GenerationAborted(diagnostics)

    with _timed("load", outcome, reporter):
        spec = load_spec(config.spec, diagnostics)
    if spec is None:
        raise GenerationAborted(diagnostics)
    with _timed("validate", outcome, reporter):
        validate_spec(spec, diagnostics)
    stop_if_failed()
    with _timed("model", outcome, reporter):
        api = build_api(spec, config.package, diagnostics)
    stop_if_failed()
    spec_name = config.spec.name
    with _timed("models", outcome, reporter):
        models = generate_models(
            api, package=config.package, spec_name=spec_name, diagnostics=diagnostics
        )
    if models is None:
        raise GenerationAborted(diagnostics)
    stop_if_failed()
    outcome.operations, outcome.models = len(api.operations), len(models.classes)
    with _timed("render", outcome, reporter):
        files = render_package(api, models, package=config.package, spec_name=spec_name)
        staging = stage(files, config.out)
    try:
        with _timed("format", outcome, reporter):
            try:
                format_tree(staging)
            except FormatError as exc:
                diagnostics.add(
                    Diagnostic(
                        spec.display,
                        0,
                        0,
                        Level.ERROR,
                        "format-failed",
                        f"the rendered package could not be formatted: {exc}",
                    )
                )
                raise GenerationAborted(diagnostics) from None
        with _timed("write", outcome, reporter):
            outcome.change = compare_trees(staging, config.out, label=config.out.name)
            if not check and not outcome.change.is_current:
                publish(staging, config.out)
                outcome.written = True
    finally:
        discard(staging)
    return outcome

"""Per-stage times (and optionally cProfile) of one clientgen run, for finding where time goes.

    python tests/benchmarks/profile_stages.py SPEC --out DIR --package NAME
        [--keep-going] [--profile DIR] [--top N] [--json FILE]

Runs the same stages as :func:`generator.pipeline.generate_client` (load, validate, model,
models, render, format, write) one by one and prints each stage's wall time, the peak RSS
after it and the number of diagnostics it added. With ``--keep-going`` the stages after
``validate`` run even when validation found errors (which ``clientgen generate`` refuses):
that is how the later stages can be timed on specs clientgen does not accept yet, and how
``run.py`` builds a GitHub package for the import benchmark. With ``--profile DIR`` every
stage runs under cProfile; ``DIR/<stage>.prof`` is written (open it with ``snakeviz`` or
``python -m pstats``) and the top functions by own and cumulative time are printed.

This uses the generator only as a library; it changes nothing in it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

T = TypeVar("T")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Stages:
    def __init__(self, profile_dir: Path | None, top: int) -> None:
        self.profile_dir = profile_dir
        self.top = top
        self.rows: list[dict[str, Any]] = []

    def run(self, name: str, diagnostics: Any, func: Callable[[], T]) -> T:
        errors_before = diagnostics.error_count
        warnings_before = diagnostics.warning_count
        profiler = cProfile.Profile() if self.profile_dir else None
        start = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            return func()
        finally:
            if profiler is not None:
                profiler.disable()
            elapsed = time.perf_counter() - start
            row = {
                "stage": name,
                "seconds": round(elapsed, 3),
                "peak_rss_mb": round(_rss_mb(), 1),
                "new_errors": diagnostics.error_count - errors_before,
                "new_warnings": diagnostics.warning_count - warnings_before,
            }
            self.rows.append(row)
            print(
                f"  {name:<9} {elapsed:9.2f} s   peak RSS {row['peak_rss_mb']:8.1f} MB   "
                f"+{row['new_errors']} error(s) +{row['new_warnings']} warning(s)",
                file=sys.stderr,
                flush=True,
            )
            if profiler is not None and self.profile_dir is not None:
                self.profile_dir.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(self.profile_dir / f"{name}.prof")
                for key in ("tottime", "cumulative"):
                    out = io.StringIO()
                    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(key).print_stats(
                        self.top
                    )
                    text = out.getvalue()
                    body = text[text.find("   ncalls") :] if "   ncalls" in text else text
                    print(
                        f"--- {name}: top {self.top} by {key}\n{body}", file=sys.stderr, flush=True
                    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("spec", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--package", required=True)
    parser.add_argument("--keep-going", action="store_true", help="run later stages despite errors")
    parser.add_argument(
        "--skip-validate", action="store_true", help="do not run the validate stage"
    )
    parser.add_argument(
        "--profile", type=Path, help="write DIR/<stage>.prof and print top functions"
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", type=Path, help="write the stage table as JSON here")
    args = parser.parse_args()

    start = time.perf_counter()
    from generator.diagnostics import Diagnostics
    from generator.load import load_spec
    from generator.models import generate_models
    from generator.names import name_package
    from generator.operations import build_api
    from generator.render import render_package
    from generator.validate import validate_spec
    from generator.write import compare_trees, discard, format_tree, publish, stage

    import_seconds = time.perf_counter() - start
    print(f"  {'import':<9} {import_seconds:9.2f} s", file=sys.stderr)
    diagnostics = Diagnostics()
    stages = _Stages(args.profile, args.top)
    result: dict[str, Any] = {"spec": str(args.spec), "import_seconds": round(import_seconds, 3)}

    def stop(reason: str) -> int:
        result["stopped"] = reason
        result["stages"] = stages.rows
        result["first_errors"] = [
            d.format() for d in diagnostics.sorted() if d.level.name == "ERROR"
        ][:10]
        if args.json:
            args.json.write_text(json.dumps(result, indent=2))
        print(f"stopped: {reason}", file=sys.stderr)
        for line in result["first_errors"][:5]:
            print(f"  {line[:300]}", file=sys.stderr)
        return 1

    spec = stages.run("load", diagnostics, lambda: load_spec(args.spec, diagnostics))
    if spec is None:
        return stop("load failed")
    if not args.skip_validate:
        stages.run("validate", diagnostics, lambda: validate_spec(spec, diagnostics))
    if diagnostics.has_errors(strict=False) and not args.keep_going:
        return stop(f"validate: {diagnostics.error_count} error(s)")
    api = stages.run("model", diagnostics, lambda: build_api(spec, diagnostics))
    if diagnostics.has_errors(strict=False) and not args.keep_going:
        return stop(f"model: {diagnostics.error_count} error(s)")
    spec_name = args.spec.name
    models = stages.run(
        "models",
        diagnostics,
        lambda: generate_models(
            api, package=args.package, spec_name=spec_name, diagnostics=diagnostics
        ),
    )
    if models is None:
        return stop("models failed")
    result["operations"], result["models"] = len(api.operations), len(models.classes)
    staging = stages.run(
        "render",
        diagnostics,
        lambda: stage(
            render_package(
                api,
                models,
                name_package(api, models.classes, args.package),
                package=args.package,
                spec_name=spec_name,
            ),
            args.out,
        ),
    )
    try:
        stages.run("format", diagnostics, lambda: format_tree(staging))

        def write() -> None:
            change = compare_trees(staging, args.out, label=args.out.name)
            if not change.is_current:
                publish(staging, args.out)

        stages.run("write", diagnostics, write)
    finally:
        discard(staging)
    result["stages"] = stages.rows
    result["errors"], result["warnings"] = diagnostics.error_count, diagnostics.warning_count
    total = sum(row["seconds"] for row in stages.rows)
    print(
        f"  {'total':<9} {total:9.2f} s   ({result['operations']} operations, {result['models']} models, "
        f"{diagnostics.error_count} errors, {diagnostics.warning_count} warnings)",
        file=sys.stderr,
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

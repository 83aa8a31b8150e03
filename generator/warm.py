"""A models worker forked the moment ``clientgen generate`` starts, before anything else.

Importing datamodel-code-generator is the longest step of generating a small spec: a
second or more of CPU when no compiled bytecode is at hand, against tens of milliseconds
for the generation itself. Forked as the program starts, a worker imports it while this
process imports the command line, reads the config, loads, models and validates the spec;
:class:`generator.pipeline` then hands it the models to generate. A run that needs no
models (a cache hit, a usage error) ends it unused.

Only the ``clientgen`` program does this (:func:`main`), only for ``generate``, and only
where processes fork cheaply (Linux) and a second core exists. Nothing here imports more
than the standard library's process pool, so the fork happens within milliseconds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

__all__ = ["end", "main", "start", "stop", "take"]

_pool: ProcessPoolExecutor | None = None


def _prepare() -> None:
    from generator.models import prepare

    prepare()


def start(args: Sequence[str]) -> None:
    """Fork the worker if ``args`` (the command line, without the program) generate."""
    global _pool
    wanted = "generate" in args and not {"-h", "--help"} & set(args)
    cores = os.cpu_count() or 1
    if _pool is not None or not wanted or cores < 2 or not sys.platform.startswith("linux"):
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    _pool.submit(_prepare)  # forks now


def take() -> ProcessPoolExecutor | None:
    """The started worker's pool, once: whoever takes it shuts it down."""
    global _pool
    pool, _pool = _pool, None
    return pool


def stop() -> None:
    """End the worker if nothing took it (the run needed no models)."""
    pool = take()
    if pool is not None:
        end(pool)


def end(pool: ProcessPoolExecutor) -> None:
    """Shut ``pool`` down without waiting for work still running: nobody needs it.

    Its workers are terminated first (an import of the models library that no run will
    use takes a second), then the pool is shut down.
    """
    for process in list(pool._processes.values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def main() -> None:
    """The ``clientgen`` console script: start the worker, then run the command line."""
    start(sys.argv[1:])
    from generator.cli import main as cli_main

    cli_main()

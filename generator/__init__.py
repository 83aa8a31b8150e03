"""clientgen: generate typed Python API clients from a hand-maintained OpenAPI 3.x spec.

The pipeline runs one way, each stage in its own module::

    load -> validate -> operations (+ reshape) -> models -> names -> render -> write (format, publish)

``operations`` describes what the client can call as the frozen records of ``ir``, and
``reshape`` names the schemas the models generator turns into classes; ``names`` decides
every other Python name of the generated package, once; ``render`` only reads names.
``cli`` picks a ``runner`` (how the work is scheduled) and drives ``pipeline`` (the
recipe, in the order it takes effect); ``pipeline`` drives the stages; the stages share
only ``ir``, ``diagnostics``, ``rules``, ``naming``, ``schemas`` and ``config``. ``runtime/`` is never imported by the
generator: it is copied, as it stands, into every generated package.

Releases sit beside the pipeline: ``diff`` compares two specs in the client's Python terms,
``surface`` two generated packages (griffe, mypy), ``changes`` holds the records and rules they
report, and ``release`` keeps the last release's record, the version it requires and the
changelog (which ``pipeline`` adds to the package as its last step).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

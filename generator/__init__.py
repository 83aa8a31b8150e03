"""clientgen: generate typed Python API clients from a hand-maintained OpenAPI 3.x spec.

The pipeline runs one way, each stage in its own module::

    load -> validate -> ir -> models + render -> write

``cli`` drives ``pipeline``; ``pipeline`` drives the stages; the stages share only
``diagnostics``, ``naming`` and ``config``. ``runtime/`` is never imported by the
generator: it is copied, as it stands, into every generated package.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

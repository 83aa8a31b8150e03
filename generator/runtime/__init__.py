"""Hand-written runtime copied verbatim into every generated client package.

This ``__init__`` exists only so the runtime can be imported and tested inside
clientgen itself; it is *not* copied (each generated package has its own).
"""

__all__: list[str] = []

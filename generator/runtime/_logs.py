"""Package logger and redaction helpers.

Set ``<PREFIX>LOG=debug`` (or ``info``) to get request/response/retry lines on stderr.
Credential header values, credential query values and cookies are always shown as
``<redacted>``.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterable
from urllib.parse import quote

import httpx

__all__ = [
    "REDACTED",
    "SENSITIVE_HEADERS",
    "get_logger",
    "redact_headers",
    "redact_url",
    "scrub",
    "setup_logging",
]

REDACTED = "<redacted>"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
    }
)
"""Header names redacted in logs even when no security scheme names them."""

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_HANDLER_MARK = "_clientgen_runtime_handler"


def get_logger(package_name: str) -> logging.Logger:
    """The logger for a generated package (named after the package)."""
    return logging.getLogger(package_name)


def setup_logging(package_name: str, env_var: str) -> logging.Logger:
    """Configure the package logger from ``env_var`` (``debug``/``info``).

    When the variable is set, one stderr handler is attached (only once, however often
    this is called) and the logger level is set accordingly. Otherwise the logger is
    left alone so applications can configure it themselves.
    """
    logger = get_logger(package_name)
    level = _LEVELS.get(os.environ.get(env_var, "").strip().lower())
    if level is None:
        return logger
    logger.setLevel(level)
    existing = [h for h in logger.handlers if getattr(h, _HANDLER_MARK, False)]
    if existing:
        for handler in existing:
            handler.setLevel(level)
        return logger
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(level)
    handler.setFormatter(
        logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s")
    )
    setattr(handler, _HANDLER_MARK, True)
    logger.addHandler(handler)
    return logger


def redact_headers(headers: Iterable[tuple[str, str]], sensitive: Iterable[str]) -> dict[str, str]:
    """Headers as a dict with sensitive values (case-insensitive names) replaced."""
    names = SENSITIVE_HEADERS | {name.lower() for name in sensitive}
    out: dict[str, str] = {}
    for key, value in headers:
        out[key] = REDACTED if key.lower() in names else value
    return out


def redact_url(url: httpx.URL, sensitive_query: Iterable[str]) -> str:
    """``url`` as text with credential query values and any userinfo password redacted."""
    names = set(sensitive_query)
    netloc = url.host
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if url.port is not None:
        netloc += f":{url.port}"
    if url.username:
        netloc = (
            f"{url.username}:{REDACTED}@{netloc}" if url.password else f"{url.username}@{netloc}"
        )
    text = f"{url.scheme}://{netloc}{url.raw_path.split(b'?', 1)[0].decode('ascii')}"
    params = url.params.multi_items()
    if params:
        text += "?" + "&".join(
            f"{quote(k, safe='')}={REDACTED if k in names else quote(v, safe='')}"
            for k, v in params
        )
    return text


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of any secret in ``text`` (belt and braces for messages)."""
    for secret in secrets:
        if secret and len(secret) >= 4 and secret in text:
            text = text.replace(secret, REDACTED)
    return text

"""Every error the tool raises on purpose, with a stable code.

Messages follow one style so users can act on them: lower-case, quote the bad value,
end with the remedy.  Anything that prints a connection string goes through
:func:`mask_secrets` first, so passwords never reach a terminal or a CI log.
"""

from __future__ import annotations

import re

__all__ = [
    "E2IError",
    "ConfigError",
    "EngineError",
    "EngineUnavailable",
    "ExtensionUnavailable",
    "MigrationDiscoveryError",
    "MigrationError",
    "ContractError",
    "mask_secrets",
]

_URI_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<tail>@)", re.I)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|\S+)", re.I)
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&]password=)(?P<pw>[^&\s]+)", re.I)


def mask_secrets(text: object) -> str:
    """Replace every password in URIs, ``key=value`` conninfo and query strings with ``***``."""
    out = str(text)
    out = _URI_PASSWORD.sub(lambda m: f"{m['head']}***{m['tail']}" if m["pw"] else m[0], out)
    out = _KV_PASSWORD.sub(lambda m: f"{m['head']}***", out)
    out = _QUERY_PASSWORD.sub(lambda m: f"{m['head']}***", out)
    return out


class E2IError(Exception):
    """Base class: ``code`` is stable across releases, the message is masked."""

    code = "E2I000"

    def __init__(self, message: str):
        super().__init__(mask_secrets(message))

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.message


class ConfigError(E2IError):
    """A setting has a bad value or names something that does not exist."""

    code = "E2I001"


class EngineError(E2IError):
    """A server could not be started, reached or stopped."""

    code = "E2I010"


class EngineUnavailable(EngineError):
    """The chosen engine cannot run on this machine (no Docker daemon, no binaries...)."""

    code = "E2I011"


class ExtensionUnavailable(EngineError):
    """A migration asks for an extension the server does not have."""

    code = "E2I012"


class MigrationDiscoveryError(E2IError):
    """Migration files could not be found or ordered (none found, duplicate versions)."""

    code = "E2I020"


class MigrationError(E2IError):
    """A migration statement failed on the server; the message names file, line and statement."""

    code = "E2I021"


class ContractError(E2IError):
    """A contract file is malformed; the message names file, line and path in the document."""

    code = "E2I030"

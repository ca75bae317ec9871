"""The ``[targets.NAME.deploy]`` profile section: which revision the run must see serving.

::

    [targets.staging.deploy]
    version_path = "/api/health"     # a route whose JSON answer names the deployed version
    version_pointer = "/version"     # JSON pointer (RFC 6901) to it in that answer
    expect = "${GITHUB_SHA}"         # what it must be; "${GITHUB_SHA:-}" makes it optional
    timeout_s = 600                  # how long a deploy may take to go live
    interval_s = 5

``expect`` is interpolated like every profile value (an unset variable is a usage error,
exit 4); ``--deploy-expect`` overrides it. An empty ``expect`` means "do not wait". A short
commit id on either side matches the full one (at least 7 characters in common).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.config.targets import Target, reject_unknown_keys
from harness.errors import ConfigError
from harness.messages.core import msg

SECTION = "deploy"
_KNOWN = {"version_path", "version_pointer", "expect", "timeout_s", "interval_s"}


@dataclass(frozen=True)
class DeploySpec:
    version_path: str
    version_pointer: str = ""
    expect: str = ""
    timeout_s: float = 600.0
    interval_s: float = 5.0


def deploy_spec(target: Target) -> DeploySpec | None:
    """``None`` when the profile has no deploy section; a bad key is a ``ConfigError``."""
    table = target.section(SECTION)
    if not table:
        return None
    where = f"targets.{target.name}.{SECTION}"
    reject_unknown_keys(table, _KNOWN, where)
    path, pointer = table.get("version_path"), table.get("version_pointer", "")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigError(msg("deploy.version_path", where=where, value=repr(path)))
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise ConfigError(msg("deploy.version_pointer", where=where, value=repr(pointer)), hint=msg("deploy.version_pointer_hint"))
    expect = table.get("expect", "")
    if not isinstance(expect, str):
        raise ConfigError(msg("deploy.expect", where=where, value=repr(expect)))
    return DeploySpec(path, pointer, expect.strip(), _seconds(table, "timeout_s", where, 600.0),
                      _seconds(table, "interval_s", where, 5.0))  # fmt: skip


def _seconds(table: dict[str, Any], key: str, where: str, default: float) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(msg("cfg.seconds", where=where, key=key, value=repr(value)))
    return float(value)

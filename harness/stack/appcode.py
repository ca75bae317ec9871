"""Running the app's own code: in its interpreter, from its folder, with its database mapped.

The harness process never imports app code (DESIGN §8). Whatever it needs from the app (a
description of the models' metadata, the Alembic heads, a replay of the migrations) comes from
a helper script in ``harness/stack/helpers/`` run *by path* in ``[app] python`` with ``[app]
dir`` as the working directory. Helpers import only the stdlib, SQLAlchemy and Alembic (what
every Alembic app has), never ``harness``, and print one JSON line prefixed ``HV-JSON:``.

``database_env`` turns one database URL into the app's variables (one URL in any driver form,
or POSTGRES_SERVER/PORT/… from its parts); every value is registered as a secret.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from harness.config.targets import AppSpec
from harness.errors import AppCodeError
from harness.messages.core import msg
from harness.secrets import redact, register_secret

HELPERS = Path(__file__).parent / "helpers"
JSON_PREFIX = "HV-JSON:"
_DRIVERS = {"url": "postgresql", "url_psycopg": "postgresql+psycopg",
            "url_asyncpg": "postgresql+asyncpg", "url_psycopg2": "postgresql+psycopg2"}  # fmt: skip
# What app code loaded only to describe itself (its models, its revisions) finds in its
# database variables: nothing listens there, but settings that insist on one still import
# (a password too: settings that ignore empty variables would find none without it).
NO_DATABASE_URL = "postgresql://hv-nodb:hv-nodb-pw@127.0.0.1:1/hv_no_database"
# libpq reads these: left in the environment they could route an app's connection elsewhere.
_LIBPQ_VARS = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD",
               "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE")  # fmt: skip


def url_fields(url: str) -> dict[str, str]:
    """The placeholders of ``database_env`` for ``url`` (any PostgreSQL dialect)."""
    parts = urlsplit(url)
    fields = {
        "host": parts.hostname or "",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": unquote(parts.path.lstrip("/")),
    }
    for name, scheme in _DRIVERS.items():
        fields[name] = urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    return fields


def database_variables(mapping: Mapping[str, str], url: str) -> dict[str, str]:
    """``database_env`` filled from ``url``. The password is registered as a secret, as it is
    and as a URL carries it (percent-encoded); so is a value built around it other than a URL.
    A URL value is not registered whole: any 8-character run of a secret is masked, and a
    whole URL's runs are its scheme and host ("postgresql", "127.0.0.1:5"), which would vanish
    from every path and address in the output; its password is masked anyway."""
    fields = url_fields(url)
    register_secret(fields["password"])
    register_secret(urlsplit(url).password)
    values = {}
    for name, template in mapping.items():
        values[name] = re.sub(r"\{(\w+)\}", lambda m: fields[m.group(1)], template)
        if "{password}" in template:
            register_secret(values[name])
    return values


def alembic_url(spec: AppSpec, url: str) -> str:
    """``url`` in the driver form the app's ``database_env`` maps (``{url_asyncpg}`` …), for an
    env.py that builds its engine from alembic.ini; the helper keeps the ini's own driver
    where its URL names one (helpers/_appalembic.py)."""
    forms = [t.strip()[1:-1] for t in spec.database_env.values() if t.strip()[1:-1] in _DRIVERS]
    return url_fields(url)[forms[0] if forms else "url"]


def strip_secrets(env: Mapping[str, str], secrets: Iterable[str]) -> dict[str, str]:
    """``env`` without any variable whose value contains one of ``secrets`` (the live URL,
    its password) and without libpq's own connection variables."""
    needles = [s for s in secrets if s]
    return {
        key: value for key, value in env.items()
        if key not in _LIBPQ_VARS and not any(n in value for n in needles)
    }  # fmt: skip


def live_secrets(url: str | None) -> list[str]:
    """What must not reach a replay: the live password and the live URL in every form."""
    if not url:
        return []
    fields = url_fields(url)
    netloc_path = url.split("://", 1)[-1]
    return [fields["password"], netloc_path] if len(fields["password"]) >= 4 else [netloc_path]


@dataclass(frozen=True)
class AppCode:
    """``spec``'s interpreter and folder: run commands and helpers there."""

    spec: AppSpec

    def environment(
        self, database_url: str | None, *, base: Mapping[str, str] | None = None,
        strip: Iterable[str] = (),
    ) -> dict[str, str]:  # fmt: skip
        """``base`` (default: this process's env) minus ``strip``-ed values, then the
        profile's ``app.env`` and the database variables."""
        env = strip_secrets(dict(os.environ if base is None else base), strip)
        env.update(self.spec.env)
        if database_url:
            env.update(database_variables(self.spec.database_env, database_url))
        env["PYTHONUNBUFFERED"] = "1"
        env.pop("PYTHONPATH", None)  # the harness's own paths must not leak into the app
        return env

    def command(self, parts: Iterable[str]) -> list[str]:
        return [self.spec.python if part == "{python}" else part for part in parts]

    def helper(
        self, name: str, args: list[str], env: Mapping[str, str], *, timeout_s: float = 300
    ) -> Any:
        """Run ``helpers/<name>.py`` in the app's interpreter; its JSON answer, or an
        ``AppCodeError`` naming the interpreter and the error's last line."""
        command = [self.spec.python, str(HELPERS / f"{name}.py"), *args]
        try:
            proc = subprocess.run(
                command, cwd=self.spec.dir, env=dict(env), capture_output=True, text=True,
                timeout=timeout_s, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AppCodeError(msg("app.helper_cannot_run", name=name, python=self.spec.python, error=exc)) from None
        answer = _answer(proc.stdout)
        if proc.returncode != 0 or answer is None:
            output = redact((proc.stderr + proc.stdout).strip())
            error = AppCodeError(
                msg("app.helper_failed", name=name, python=self.spec.python, folder=self.spec.dir,
                    error=last_error_line(output)),
                hint=_hint_for(output),
                log_tail="\n".join(output.splitlines()[-25:]),
            )
            error.error_line = last_error_line(output)
            raise error
        return answer


def _answer(stdout: str) -> Any:
    for line in reversed(stdout.splitlines()):
        if line.startswith(JSON_PREFIX):
            return json.loads(line[len(JSON_PREFIX) :])
    return None


def last_error_line(output: str) -> str:
    """The exception line of a traceback (``ModuleNotFoundError: No module named 'jose'``)."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for line in reversed(lines):
        if re.match(r"^[\w.]+(Error|Exception|Exit|Interrupt)\b", line):
            return line[:300]
    return lines[-1][:300] if lines else msg("app.no_output")


def _hint_for(output: str) -> str:
    missing = re.search(r"No module named '([\w.]+)'", output)
    if missing:
        return msg("app.install_module", module=repr(missing.group(1).split(".")[0]))
    return msg("app.run_by_hand")

"""From the variables an app reads (``harness.init.envreads``) to ``[app] database_env`` and
``[app] env``: the database URL variables (``DATABASE_URL``-like, ``SQLALCHEMY_DATABASE_URI``),
a ``POSTGRES_*``/``DB_*`` set of parts (without a port variable: libpq's ``PGPORT``), an engine
switch whose default is sqlite (set to the app's own word for PostgreSQL), and each required
setting without a default (a placeholder, and a TODO naming it).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.init.dotenv_files import read_dotenv, settings_dotenv
from harness.init.envreads import MISSING, EnvRead, app_modules, env_reads

_OTHER_STORES = (
    r"(?!.*(?:MONGO|REDIS|CELERY|BROKER|CACHE|ELASTIC|MYSQL|CLICKHOUSE|INFLUX|NEO4J|RABBIT|TEST))"
)
URL_NAME = re.compile(
    rf"^{_OTHER_STORES}(?:\w+_)?(?:DATABASE|DB|POSTGRES(?:QL)?|PG)_?(?:URL|URI|DSN)$"
)
_PART = re.compile(
    rf"^{_OTHER_STORES}(?P<stem>(?:\w+_)?(?:POSTGRES(?:QL)?|PG|DB|DATABASE))_?"
    r"(?P<part>HOST|HOSTNAME|SERVER|ADDR|ADDRESS|PORT|USER|USERNAME|PASSWORD|PASS|PASSWD|PWD|NAME|DB|DATABASE)$"
)
_PLACEHOLDER = {"HOST": "host", "HOSTNAME": "host", "SERVER": "host", "ADDR": "host",
                "ADDRESS": "host", "PORT": "port", "USER": "user", "USERNAME": "user",
                "PASSWORD": "password", "PASS": "password", "PASSWD": "password",
                "PWD": "password", "NAME": "database", "DB": "database", "DATABASE": "database"}  # fmt: skip
_SWITCH = re.compile(
    r"^(?:\w+_)?(?:DB|DATABASE|SQL)_?(?:ENGINE|TYPE|BACKEND|DIALECT|DRIVER|KIND|VENDOR|PROVIDER)$"
)
_USE_FLAG = re.compile(r"^USE_(SQLITE|POSTGRES(?:QL)?|PG)$")
PLACEHOLDER_TEXT = "hv-placeholder-set-the-real-value-0000000000"


@dataclass
class DatabaseSettings:
    database_env: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)
    reads: list[EnvRead] = field(default_factory=list)


def read_settings(app_dir: Path) -> DatabaseSettings:
    """What the app's settings need to run against the harness's database (static)."""
    dotenv = read_dotenv(app_dir / ".env")  # a developer's .env may turn a switch to sqlite
    provided = settings_dotenv(app_dir)  # the settings' env_file: the app's own values
    dotenv = provided | dotenv
    reads = _merged(env_reads(app_dir))
    found = DatabaseSettings(reads=list(reads.values()))
    for name in reads:
        if URL_NAME.match(name.upper()):
            found.database_env[name] = "{url}"
    found.database_env |= _parts(list(reads))
    if not found.database_env:  # read through a helper of the app's own: named in a string
        quoted = _quoted_names(app_dir)
        urls = [n for n in quoted if URL_NAME.match(n)]
        found.database_env = _parts(quoted) or dict.fromkeys(urls[:1], "{url}")
    if _reads_prefixed_env(app_dir):  # Flask's from_prefixed_env: FLASK_SQLALCHEMY_DATABASE_URI
        found.database_env.setdefault("FLASK_SQLALCHEMY_DATABASE_URI", "{url}")
    for read in reads.values():
        if read.name in found.database_env:
            continue
        switch = _switch_value(read, dotenv.get(read.name.upper(), read.default), app_dir, found.todo)
        if switch is not None:
            found.database_env[read.name] = switch
        elif read.required and read.name.upper() not in provided:
            found.env[read.name] = _placeholder(read, found.todo)
    return found


def _merged(reads: list[EnvRead]) -> dict[str, EnvRead]:
    """One read per variable. A settings field says most (it has the annotation); a direct
    read is required only when no other read of it has a default (``if os.getenv("X"):
    os.environ["X"]`` is guarded)."""
    merged: dict[str, EnvRead] = {}
    for name in dict.fromkeys(r.name for r in reads):
        mine = [r for r in reads if r.name == name]
        fields = [r for r in mine if r.field]
        if fields:
            merged[name] = next((r for r in fields if r.required), fields[0])
        else:
            merged[name] = next((r for r in mine if not r.required), mine[0])
    return merged


def _parts(names: list[str]) -> dict[str, str]:
    """The largest set of parts sharing a stem (POSTGRES_, DB_ …) with a host; without a
    port variable, libpq and asyncpg read ``PGPORT`` (the harness's port is never 5432)."""
    stems: dict[str, dict[str, str]] = {}
    for name in names:
        match = _PART.match(name.upper())
        if match:
            stems.setdefault(match.group("stem"), {})[name] = (
                "{" + _PLACEHOLDER[match.group("part")] + "}"
            )
    usable = [s for s in stems.values() if "{host}" in s.values() and len(s) >= 3]
    if not usable:
        return {}
    best = max(usable, key=len)
    if "{port}" not in best.values():
        best["PGPORT"] = "{port}"  # a port fixed in the code is named by harness.init.hardcoded
    return best


def _quoted_names(app_dir: Path) -> list[str]:
    """Variable-like names in the app's string constants, the most frequent first."""
    names = [
        n.value for _, tree in app_modules(app_dir) for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
        and re.fullmatch(r"[A-Z][A-Z0-9_]+", n.value)
    ]  # fmt: skip
    return sorted(set(names), key=lambda n: (-names.count(n), n))


def _reads_prefixed_env(app_dir: Path) -> bool:
    return any(
        isinstance(n, ast.Attribute) and n.attr == "from_prefixed_env"
        for _, tree in app_modules(app_dir) for n in ast.walk(tree)
    )  # fmt: skip


def _is_switch(name: str) -> bool:
    return bool(_SWITCH.match(name.upper()) or _USE_FLAG.match(name.upper()))


def _switch_value(read: EnvRead, value: Any, app_dir: Path, todo: list[str]) -> str | None:
    """The value that makes an engine switch choose PostgreSQL where ``value`` (the code's
    default, or the .env's) would choose sqlite."""
    flag = _USE_FLAG.match(read.name.upper())
    if flag:
        wants_sqlite = flag.group(1) == "SQLITE"
        on = str(value).lower() in ("1", "true", "yes", "on")
        if value in (MISSING, None) or on == wants_sqlite:
            return "false" if wants_sqlite else "true"
        return None
    if not _SWITCH.match(read.name.upper()):
        return None
    if value is not MISSING and "sqlite" not in str(value).lower():
        return None
    words = _postgres_words(read, app_dir)
    if not words:
        todo.append(
            f"engine switch {read.name} ({read.where}) defaults to sqlite and the code names no "
            f'PostgreSQL value: database_env {read.name} = "postgresql" is a guess; set the app\'s word'
        )
    return words[0] if words else "postgresql"


def _postgres_words(read: EnvRead, app_dir: Path) -> list[str]:
    """String constants naming PostgreSQL that the app compares its switch with (or lists in
    the field's ``Literal[...]``, or has as its default): ``"postgres"``, ``"pg"`` …"""
    keys = {read.name, read.field} - {""}
    words = re.findall(r"['\"]([^'\"]*postg[^'\"]*|pg)['\"]", read.annotation, re.IGNORECASE)
    words += (
        [read.default] if isinstance(read.default, str) and "postg" in read.default.lower() else []
    )
    trees = [tree for _, tree in app_modules(app_dir)]
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Assign) and keys & _names_in(node.value):
            keys |= {t.id for t in node.targets if isinstance(t, ast.Name)}  # ENGINE = getenv(...)
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Compare) and keys & _names_in(node):
            words += [
                c.value for c in ast.walk(node) if isinstance(c, ast.Constant)
                and isinstance(c.value, str) and re.fullmatch(r".*postg.*|pg", c.value, re.IGNORECASE)
            ]  # fmt: skip
    return [w for w in dict.fromkeys(words) if "://" not in w]


def _names_in(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            names.add(sub.value)
    return names


def _placeholder(read: EnvRead, todo: list[str]) -> str:
    """A value of the field's type that lets the app import; the TODO asks for the real one."""
    value = placeholder_for(read.annotation, read.name)
    what = f"settings field {read.field}" if read.field else f"variable {read.name}"
    todo.append(
        f"{what} ({read.where}) is required and has no default: [app] env "
        f"{read.name} = {value!r} is a placeholder; set the value the app should run with"
    )
    return value


def placeholder_for(annotation: str, name: str = "") -> str:
    """A value of the type (then of the name's kind: an e-mail, a URL) that validates."""
    text = annotation.replace("typing.", "").replace("pydantic.", "")
    if not annotation or re.fullmatch(
        r"(str|SecretStr)(\s*\|\s*None)?|Optional\[str\]", text.strip()
    ):
        by_name = [(r"EMAIL|SUPERUSER$", "hv-init@example.com"), (r"REDIS.*_UR[LI]$", "redis://127.0.0.1:9/0"),
                   (r"_UR[LI]$", "http://127.0.0.1:9")]  # fmt: skip
        found = next((v for pattern, v in by_name if re.search(pattern, name.upper())), None)
        if found:
            return found
    literal = re.search(r"Literal\[\s*(['\"])(.*?)\1", text)
    if literal:
        return literal.group(2)
    checks = [
        (r"\bbool\b", "false"), (r"\b(int|PositiveInt|conint)\b", "1"), (r"\bfloat\b", "1.0"),
        (r"\b(list|List|set|Set|tuple|Tuple|Sequence)\b", "[]"), (r"\b(dict|Dict)\b", "{}"),
        (r"(Http|Any)Url|\bUrl\b", "http://127.0.0.1:9"), (r"\bEmailStr\b", "hv-init@example.com"),
        (r"\b(Path|DirectoryPath)\b", "."),
    ]  # fmt: skip
    return next((value for pattern, value in checks if re.search(pattern, text)), PLACEHOLDER_TEXT)

"""Reading connections are read-only at the server: a write through one fails there.

Against a real (standalone) embedded PostgreSQL: every reading engine the harness makes
refuses CREATE TABLE, INSERT, UPDATE, DROP — in a transaction and in autocommit — with
PostgreSQL's own "cannot execute … in a read-only transaction" (SQLSTATE 25006); behind a
pooler that refuses startup options (as PgBouncer does) it still is, per transaction. The
writing engine writes. And a scan of the harness's source finds every place an engine or a
connection is made, each classified here: a new one must say which kind it is.
"""

from __future__ import annotations

import re
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from db_support import sql, standalone_pg  # noqa: F401  (fixture)
from sqlalchemy import Engine, make_url, text
from sqlalchemy.exc import DBAPIError
from support import REPO

from harness.transport.engines import is_read_only, make_engine, make_writer
from harness.transport.liveness import RunLock
from harness.transport.restart import RestartWatch

pytestmark = pytest.mark.stack

READ_ONLY = "25006"  # read_only_sql_transaction
WRITES = [
    "CREATE TABLE hv_ro_probe (id integer)",
    "INSERT INTO alembic_version (version_num) VALUES ('hv_ro_probe')",
    "UPDATE alembic_version SET version_num = version_num",
    "DROP TABLE alembic_version",
    "CREATE SCHEMA hv_ro_probe",
]


def refused(engine: Engine, statement: str, *, autocommit: bool) -> str:
    """The SQLSTATE the server answered ``statement`` with ("" if it was carried out)."""
    try:
        with engine.connect() as connection:
            if autocommit:
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text(statement))
            connection.commit()
    except DBAPIError as exc:
        return str(getattr(exc.orig, "sqlstate", "") or "")
    return ""


@pytest.fixture
def url(standalone_pg) -> str:  # noqa: F811  (the fixture)
    return standalone_pg.url()


def reading_engines(url: str) -> dict[str, Engine]:
    """Every kind of reading engine: the checks' pool, a held one, the restart watch's."""
    return {
        "make_engine": make_engine(url),
        "make_engine(pooled=False)": make_engine(url, pooled=False),
        "RestartWatch": RestartWatch.for_url(url).engine,
        "RunLock": RunLock(url, "r20260101t000000abcdl")._engine,
    }


@pytest.mark.parametrize("autocommit", [False, True], ids=["transaction", "autocommit"])
@pytest.mark.parametrize("statement", WRITES)
def test_a_write_through_every_reading_engine_fails_at_the_server(url, statement, autocommit):
    engines = reading_engines(url)
    try:
        answers = {name: refused(engine, statement, autocommit=autocommit) for name, engine in engines.items()}
    finally:
        for engine in engines.values():
            engine.dispose()
    assert answers == dict.fromkeys(engines, READ_ONLY)
    assert sql(url, "SELECT count(*) FROM alembic_version") == [(1,)]  # nothing changed
    assert all(is_read_only(engine) for engine in engines.values())


def test_the_writing_engine_writes(url):
    writer = make_writer(url)
    try:
        assert refused(writer, "CREATE TABLE hv_ro_probe (id integer)", autocommit=False) == ""
        assert not is_read_only(writer)
    finally:
        writer.dispose()
        sql(url, "DROP TABLE IF EXISTS hv_ro_probe")


def test_reads_and_the_liveness_lock_work_read_only(url):
    reader = make_engine(url)
    try:
        with reader.connect() as connection:
            assert connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            assert connection.execute(text("SELECT pg_try_advisory_lock_shared(1, 2)")).scalar() is True
    finally:
        reader.dispose()


def test_pg_terminate_backend_is_not_stopped_by_read_only(url):
    """Why db-reconnect's cut goes through the writing engine by policy: the server allows
    pg_terminate_backend in a read-only session, so only the classification keeps it apart."""
    reader = make_engine(url)
    victim = psycopg.connect(url, autocommit=True)
    try:
        with reader.connect() as connection:
            ended = connection.execute(text("SELECT pg_terminate_backend(:p)"), {"p": victim.info.backend_pid}).scalar()
        assert ended is True
    finally:
        victim.close()
        reader.dispose()


# ---------------------------------------------------------------- a pooler without startup options

_SSL, _GSS = 80877103, 80877104


def _error(message: str) -> bytes:
    fields = b"".join(code + value.encode() + b"\0" for code, value in
                      ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", "08P01"), (b"M", message))) + b"\0"  # fmt: skip
    return b"E" + struct.pack("!I", len(fields) + 4) + fields


def _read_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for conn in (source, sink):
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(client: socket.socket, upstream: tuple[str, int], refusals: list[str]) -> None:
    """Like PgBouncer: answer "no" to SSL/GSS, refuse a startup packet carrying ``options``."""
    while True:
        length = struct.unpack("!I", _read_exactly(client, 4))[0]
        body = _read_exactly(client, length - 4)
        if struct.unpack("!I", body[:4])[0] not in (_SSL, _GSS):
            break
        client.sendall(b"N")
    if b"\0options\0" in b"\0" + body[4:]:
        refusals.append("options")
        client.sendall(_error("unsupported startup parameter: options"))
        client.close()
        return
    server = socket.create_connection(upstream)
    server.sendall(struct.pack("!I", length) + body)
    threading.Thread(target=_pipe, args=(server, client), daemon=True).start()
    _pipe(client, server)


@pytest.fixture
def pooler(url) -> Iterator[tuple[str, list[str]]]:
    """A loopback proxy in front of the server that refuses startup options."""
    parsed = make_url(url)
    listener = socket.create_server(("127.0.0.1", 0))
    refusals: list[str] = []

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_serve, args=(client, (parsed.host, parsed.port), refusals), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield parsed.set(port=listener.getsockname()[1]).render_as_string(hide_password=False), refusals
    finally:
        listener.close()


def test_behind_a_pooler_that_refuses_startup_options_every_transaction_is_read_only(pooler):
    proxied, refusals = pooler
    reader = make_engine(proxied)
    try:
        with reader.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
            assert connection.execute(text("SHOW transaction_read_only")).scalar() == "on"
        assert refused(reader, "CREATE TABLE hv_ro_probe (id integer)", autocommit=False) == READ_ONLY
        assert refused(reader, "INSERT INTO alembic_version VALUES ('x')", autocommit=False) == READ_ONLY
    finally:
        reader.dispose()
    assert refusals, "the proxy never saw the read-only startup option"


# ---------------------------------------------------------------- every engine, classified

# Where the harness makes an engine or a connection, and which kind it is. Reading ones go
# through make_engine; the others write, each for a named reason.
CLASSIFIED = {
    ("harness/transport/engines.py", "create_engine("): "the two factories themselves",
    ("harness/plugin/fixtures.py", "make_engine("): "reads: db_engine, every check's live reads",
    ("harness/plugin/database.py", "make_engine("): "reads: the replay database, the migrated snapshot",
    ("harness/plugin/leftovers.py", "make_writer("): "writes: janitor at session start, leftovers at finish",
    ("harness/plugin/writes.py", "make_writer("): "writes: db_writer (throwaway objects, flow cleanup, db-reconnect)",
    ("harness/plugin/facts.py", "make_engine("): "reads: the report's facts",
    ("harness/transport/restart.py", "make_engine("): "reads: the server's start time",
    ("harness/transport/liveness.py", "make_engine("): "reads: holds the run's advisory lock",
    ("harness/checks/rehearsal.py", "make_engine("): "reads: the copy's version table",
    ("harness/commands/janitor.py", "make_writer("): "writes: the janitor command's sweeps",
    ("harness/stack/__init__.py", "psycopg.connect("): "the harness's own embedded cluster: creates the app database and its snapshot",
    ("harness/stack/postgres.py", "psycopg.connect("): "the harness's own embedded cluster: readiness",
    ("harness/checks/parity.py", "make_engine("): "reads: both sides' facts and catalogs (parity)",
    ("harness/stack/mapping.py", "psycopg.connect("): "the harness's own database: is the version table there",
    ("harness/checks/enginesite.py", "create_engine("): "no engine: the name it looks for in the app's source",
}
_MAKERS = re.compile(r"\b(create_engine\(|make_engine\(|make_writer\(|psycopg\.connect\(|psycopg\.Connection\.connect\()")


def test_every_engine_the_harness_makes_is_classified():
    found = set()
    for path in sorted((REPO / "harness").rglob("*.py")):
        for line in path.read_text().splitlines():
            code = line.split("#", 1)[0]
            if code.lstrip().startswith(("def ", "from ", "import ")):
                continue
            for maker in _MAKERS.findall(code):
                found.add((str(path.relative_to(REPO)), maker))
    assert found == set(CLASSIFIED), "classify each new engine here: reading (make_engine) or writing (make_writer, with why)"
    assert Path(REPO / "harness" / "transport" / "engines.py").is_file()

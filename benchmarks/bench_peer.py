"""7. Side by side with pytest-alembic, the peer tool for the database items.

Same app (examples/reference_app), same PostgreSQL build (the embedded wheel, started by
the same ``EmbeddedPostgres`` class on both sides), each sample a cold pytest process that
goes from nothing to a verdict, measured alternately:

* **pytest-alembic** (``--test-alembic``), in a venv of its own (``.venv-peer``: the ``peer``
  extra of pyproject.toml plus the reference app's requirements, made on first use): its built-in
  ``test_single_head_revision``, ``test_upgrade`` (base → head on an empty database),
  ``test_model_definitions_match_ddl`` and ``test_up_down_consistency``, with an
  ``alembic_engine`` on a PostgreSQL its conftest starts.
* **the harness**: ``pytest --target=local suites/test_database.py`` selecting the items that
  cover the same ground: migration-head (single head, the database at it), schema-drift (the
  migrations' schema against the live one, catalog-wide), models-match, migration-rehearsal and
  migration-roundtrip (the whole history up, down and up again on an empty database). The
  stack runs the migrations (pytest-alembic's test_upgrade) and starts no app server
  (suites/test_database.py sets HARNESS_NEEDS_APP = False).

The checks-only figure beside it is the sum of the selected tests' own durations (fixtures
included) on each side, from the harness's results.json and pytest-alembic's JUnit XML.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from benchmarks._measure import Sample, alternate, ratio, run_process
from benchmarks.bench_local_run import PHASES, harness_run

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "examples" / "reference_app"
PEER_VENV = REPO / ".venv-peer"
TARGET_RATIO = 0.5
PEER_TESTS = ("test_single_head_revision", "test_upgrade", "test_model_definitions_match_ddl",
              "test_up_down_consistency")  # fmt: skip
HARNESS_TESTS = (
    "test_database_is_at_the_script_head",  # migration-head
    "test_live_schema_equals_its_migrations",  # schema-drift
    "test_live_schema_has_what_the_models_expect",  # models-match
    "test_pending_migrations_apply_to_a_copy_of_the_live_data",  # migration-rehearsal
    "test_each_revision_steps_up_down_and_up_again",  # migration-roundtrip
)

_PEER_INI = """[pytest]
pytest_alembic_tests_path = tests/conftest.py
pytest_alembic_include = {tests}
"""
# The peer's conftest: what a pytest-alembic user writes, with the harness's embedded
# PostgreSQL (the same build and start-up the harness's local stack uses) as the server.
_PEER_CONFTEST = """
import sys

import pytest
from sqlalchemy import create_engine

sys.path.insert(0, "{repo}")  # here, not PYTHONPATH: the harness's pytest11 entry point stays unseen
from harness.stack.postgres import EmbeddedPostgres


@pytest.fixture(scope="session")
def _postgres():
    server = EmbeddedPostgres.create()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def alembic_config():
    return {{"file": "{ini}"}}


@pytest.fixture
def alembic_engine(_postgres):
    # A connection, not an engine: the app's env.py takes config.attributes["connection"] as
    # a Connection (its async engine is for the command line), as alembic documents.
    engine = create_engine(_postgres.url().replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        yield connection
    engine.dispose()
"""


def bench_peer(runs: int) -> dict[str, Any]:
    python = peer_python()
    with tempfile.TemporaryDirectory(prefix="hv-bench-peer-") as tmp:
        folder = Path(tmp)
        _write_peer_project(folder)
        stats = alternate(
            runs, {"harness": _harness_run, "pytest-alembic": lambda: _peer_run(python, folder)}
        )
    harness, peer = stats["harness"], stats["pytest-alembic"]
    value = ratio(harness, peer)
    checks = {s.name: s.extra_median("checks_s") for s in (harness, peer)}
    phases = {
        p: round(v, 3) for p in (*PHASES, "checks_s") if (v := harness.extra_median(p)) is not None
    }
    phases.update(
        {
            name: round(v, 3)
            for name in HARNESS_TESTS
            if (v := harness.extra_median(f"test:{name}")) is not None
        }
    )
    checks_ratio = (
        checks["harness"] / checks["pytest-alembic"] if checks["pytest-alembic"] else None
    )
    return {
        "benchmark": "database items side by side with pytest-alembic (harness / pytest-alembic)",
        "a": harness.to_dict(), "b": peer.to_dict(), "ratio": round(value, 3),
        "checks_s": {k: None if v is None else round(v, 3) for k, v in checks.items()},
        "checks_ratio": None if checks_ratio is None else round(checks_ratio, 3),
        "target": f"harness <= {TARGET_RATIO}x pytest-alembic's time", "met": value <= TARGET_RATIO,
        "harness_phases_median_s": phases,
        "items": {"harness": list(HARNESS_TESTS), "pytest-alembic": list(PEER_TESTS)},
    }  # fmt: skip


def _write_peer_project(folder: Path) -> None:
    (folder / "tests").mkdir()
    (folder / "pytest.ini").write_text(
        _PEER_INI.format(tests=", ".join(t.removeprefix("test_") for t in PEER_TESTS))
    )
    (folder / "tests" / "conftest.py").write_text(
        _PEER_CONFTEST.format(ini=APP / "alembic.ini", repo=REPO)
    )


def peer_python() -> Path:
    """The peer's interpreter, its venv made once from the ``peer`` extra (not timed)."""
    # Delete .venv-peer to rebuild it after the extra changed.
    python = PEER_VENV / "bin" / "python"
    if not (PEER_VENV / "peer-ready").exists():
        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        # The harness's own dependencies too (its conftest starts PostgreSQL with the harness's
        # EmbeddedPostgres), but not the harness: its pytest11 plugin must not load there.
        core = [d for d in project["dependencies"] if not d.startswith("pytest")]
        peer = [*project["optional-dependencies"]["peer"], *core]
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *peer, "-r", str(APP / "requirements.txt")],
                       check=True)  # fmt: skip
        (PEER_VENV / "peer-ready").write_text("")
    return python


def _peer_run(python: Path, folder: Path) -> Sample:
    junit = folder / "junit.xml"
    argv = [str(python), "-m", "pytest", "--test-alembic", "-q", "-p", "no:randomly",
            "-p", "no:cacheprovider", f"--junitxml={junit}", "tests"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    sample, code, output = run_process(argv, cwd=str(folder), env=env)
    if code != 0:
        raise RuntimeError(f"pytest-alembic run failed (exit {code}):\n{output[-3000:]}")
    cases = ET.parse(junit).getroot().iter("testcase")
    times = {case.get("name", ""): float(case.get("time", 0)) for case in cases}
    if sorted(times) != sorted(PEER_TESTS):
        raise RuntimeError(f"pytest-alembic ran {sorted(times)}, expected {sorted(PEER_TESTS)}")
    sample.extra["checks_s"] = sum(times.values())
    return sample


def _harness_run() -> Sample:
    # 1: the items not selected are "not run"
    sample = harness_run(
        "suites/test_database.py", "-k", " or ".join(HARNESS_TESTS), ok_codes=(0, 1)
    )
    durations = {name: sample.extra.get(f"test:{name}") for name in HARNESS_TESTS}
    if any(d is None for d in durations.values()) or sample.extra["tests_not_passed"]:
        raise RuntimeError(f"harness run did not run every database item: {durations}")
    sample.extra["checks_s"] = sum(d for d in durations.values() if d is not None)
    return sample


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env

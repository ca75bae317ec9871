"""Unit tests of the database checks' pure parts: profile section, names, tags, diffs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support import REPO

from harness.checks.migrations import _judge, script_directory
from harness.checks.pgvector import expected_order, version_tuple
from harness.checks.schema import diff_snapshots
from harness.config.database import DatabaseSpec, database_spec
from harness.config.targets import Target
from harness.errors import ConfigError
from harness.transport.db import parse_comment, throwaway_name

INI = REPO / "examples" / "reference_app" / "alembic.ini"


def target(section: dict, **kw) -> Target:
    return Target(name="t", kind="remote", base_url="http://x", raw={"database": section}, **kw)


def test_database_section_defaults_and_values():
    spec = database_spec(target({}, alembic_ini=INI))
    assert spec.pgvector_min_version == "0.5.0" and spec.version_table == "alembic_version"
    assert spec.version_table_schema == "public" and spec.schema_ttl_s == 6 * 3600
    assert spec.models_path == () and spec.throwaway  # the models load from [app] dir anyway
    spec = database_spec(target({"models": "app.models:Base.metadata", "schema_ttl_s": 5, "models_path": "src"}))
    assert spec.models == "app.models:Base.metadata" and spec.schema_ttl_s == 5.0
    assert spec.models_path == (Path("src").resolve(),)
    assert not database_spec(target({}, production=True)).throwaway
    assert database_spec(target({"ignore_schemas": ["audit"]})).ignore_schemas == ("audit",)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"modles": "x:y"}, "targets.t.database: unknown key 'modles'"),
        ({"models": "app.models"}, "targets.t.database.models: 'app.models' is not valid"),
        ({"schema_ttl_s": "6h"}, "targets.t.database.schema_ttl_s: expected seconds >= 0"),
        ({"version_table": "alembic version"}, "targets.t.database.version_table"),
        ({"pgvector_min_version": "new"}, "targets.t.database.pgvector_min_version"),
        ({"throwaway": "yes"}, "targets.t.database.throwaway: expected true or false"),
        ({"ignore_schemas": "audit"}, "targets.t.database.ignore_schemas: expected a list of schema names"),
    ],
)
def test_bad_database_section_names_the_key(section, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        database_spec(target(section))


def test_throwaway_names_are_safe_identifiers():
    assert throwaway_name("r20261122t1930AB12", "gw0") == "hv_r20261122t1930ab12_gw0"
    assert throwaway_name("r1", "main", "replay") == "hv_r1_main_replay"
    with pytest.raises(ValueError):
        throwaway_name("r" * 70, "main")


def test_comment_parsing_accepts_only_harness_tags():
    tag = parse_comment("staging-harness run=r1 host=ci-7 created=2026-01-02T03:04:05.000001+00:00")
    assert tag == {"run": "r1", "host": "ci-7", "created": datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC)}
    for comment in (None, "", "made by hand", "staging-harness run=r1 host=x created=yesterday",
                    "staging-harness run=r1 host=x created=2026-01-02T03:04:05"):  # fmt: skip
        assert parse_comment(comment) is None


def snap(**kinds):
    base = {"tables": {}, "columns": {}, "indexes": {}, "constraints": {}, "extensions": {"plpgsql": "1.0"}}
    return {**base, **kinds}


def test_drift_names_each_difference_by_table_column():
    want = snap(tables={"users": "r"}, columns={"users.id": "integer NOT NULL", "users.name": "text NULL"},
                extensions={"plpgsql": "1.0", "vector": "0.8"})  # fmt: skip
    have = snap(tables={"users": "r", "notes": "r"},
                columns={"users.id": "bigint NOT NULL", "users.credits": "integer NULL",
                         "notes.id": "integer NOT NULL"},
                indexes={"notes index notes_pkey": "CREATE UNIQUE INDEX ..."})  # fmt: skip
    lines = diff_snapshots(have, want)
    assert lines[0].startswith("notes: table in the live database that no migration creates")
    assert any(line.startswith("users.credits: column in the live database") for line in lines)
    assert any(line.startswith("users.name: column the migrations create is missing") for line in lines)
    assert any("users.id: live has 'bigint NOT NULL', the migrations give 'integer NOT NULL'" in line for line in lines)
    assert "extension vector: the migrations create it, the live database lacks it" in lines
    assert not any(line.startswith("notes.id") or "notes_pkey" in line for line in lines)  # folded into the table
    assert diff_snapshots(want, want) == []


def test_versions_and_expected_vector_order():
    assert version_tuple("0.8.1") == (0, 8, 1) and version_tuple("0.7.0-dev") == (0, 7, 0)
    assert version_tuple("0.4.4") < version_tuple("0.5.0")
    assert expected_order() == [1, 5, 4, 2, 3]


@pytest.fixture(scope="module")
def script():
    return script_directory(INI)


@pytest.mark.parametrize(
    ("current", "words"),
    [
        (["0005"], ["at the script head 0005"]),
        (["0003"], ["behind: at 0003, script head is 0005", "0004, 0005"]),
        (["abc123"], ["revision abc123, which the scripts do not know", "head is 0005"]),
        (None, ["no public.alembic_version table", "create_all()"]),
        ([], ["public.alembic_version is empty"]),
    ],
)
def test_migration_head_verdicts(script, current, words):
    result = _judge(script, ["0005"], current, DatabaseSpec(), {})
    assert result.ok == (current == ["0005"])
    for word in words:
        assert word in result.summary
    assert result.ok or result.remediation


def test_two_heads_need_a_merge(tmp_path):
    copy = tmp_path / "app"
    shutil.copytree(INI.parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "alembic" / "versions" / "0006_branch.py").write_text(
        'revision = "0006"\ndown_revision = "0004"\nbranch_labels = None\ndepends_on = None\n'
        "def upgrade():\n    pass\ndef downgrade():\n    pass\n"
    )
    script = script_directory(copy / "alembic.ini")
    result = _judge(script, sorted(script.get_heads()), ["0005"], DatabaseSpec(), {})
    assert not result.ok and "2 heads (0005, 0006): a merge revision is needed" in result.summary
    assert "alembic merge" in result.remediation


def test_missing_alembic_ini_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match=r"alembic_ini: .* does not exist"):
        script_directory(tmp_path / "alembic.ini")

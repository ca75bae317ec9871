from pathlib import Path

import pytest

from harness.config.targets import resolve_target
from harness.errors import ConfigError

TOML = """
[targets.staging]
kind = "remote"
base_url = "${STAGE_URL}"
database_url = "${STAGE_DB:-}"

[targets.typo]
kind = "remote"
base_url = "https://x.example"
[targets.typo.health]
pth = "/health"

[targets.local]
kind = "local"
[targets.local.app]
dir = "app"
"""


@pytest.fixture
def targets_file(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    path = tmp_path / "targets.toml"
    path.write_text(TOML)
    return path


def test_env_interpolation_and_defaults(targets_file):
    target = resolve_target("staging", targets_file, environ={"STAGE_URL": "https://s.example/"})
    assert target.base_url == "https://s.example"
    assert target.database_url is None
    assert target.allow_writes is False


def test_dotenv_is_honoured_and_env_wins(targets_file):
    (targets_file.parent / ".env").write_text("STAGE_URL=https://from-dotenv.example\n")
    assert resolve_target("staging", targets_file, environ={}).base_url == "https://from-dotenv.example"
    env = {"STAGE_URL": "https://from-env.example"}
    assert resolve_target("staging", targets_file, environ=env).base_url == "https://from-env.example"


def test_missing_env_var_names_it_and_the_fix(targets_file):
    with pytest.raises(ConfigError) as info:
        resolve_target("staging", targets_file, environ={})
    assert "STAGE_URL is not set" in info.value.one_line()
    assert "targets.staging.base_url" in info.value.one_line()


def test_unknown_target_lists_known_ones(targets_file):
    with pytest.raises(ConfigError, match="unknown target 'prod'") as info:
        resolve_target("prod", targets_file, environ={})
    assert "local, staging, typo" in info.value.one_line()


def test_unknown_key_is_named(targets_file):
    with pytest.raises(ConfigError, match=r"targets.typo.health: unknown key 'pth'"):
        resolve_target("typo", targets_file, environ={})


def test_malformed_toml_names_file(tmp_path):
    bad = tmp_path / "targets.toml"
    bad.write_text("[targets.x\nkind=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        resolve_target("x", bad, environ={})


def test_bad_base_url(targets_file):
    with pytest.raises(ConfigError, match="is not an http"):
        resolve_target("staging", targets_file, environ={"STAGE_URL": "staging.example.com"})


def test_overrides_win_and_database_url_is_normalised(targets_file):
    target = resolve_target(
        "staging",
        targets_file,
        environ={"STAGE_URL": "https://s.example"},
        overrides={"database_url": "postgres://u:pw12345@h/db"},
    )
    assert target.database_url == "postgresql+psycopg://u:pw12345@h/db"
    assert "pw12345" not in str(target.describe())


def test_local_target_resolves_app_dir(targets_file):
    target = resolve_target("local", targets_file, environ={})
    assert target.app is not None and target.app.dir == targets_file.parent / "app"
    assert target.writes_allowed


def test_production_never_writes(targets_file):
    text = targets_file.read_text() + '\n[targets.prod]\nbase_url="https://p.example"\nproduction=true\n'
    targets_file.write_text(text)
    assert not resolve_target("prod", targets_file, environ={}).writes_allowed


def test_production_with_allow_writes_is_a_contradiction(targets_file):
    text = targets_file.read_text() + '\n[targets.prod]\nbase_url="https://p.example"\nallow_writes=true\nproduction=true\n'
    targets_file.write_text(text)
    with pytest.raises(ConfigError, match="production = true contradicts allow_writes = true"):
        resolve_target("prod", targets_file, environ={})


def test_shipped_targets_file_parses():
    root = Path(__file__).resolve().parents[2]
    assert resolve_target("local", root / "targets.toml", environ={}).kind == "local"

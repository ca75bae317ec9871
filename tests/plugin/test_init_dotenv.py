"""The dotenv files init reads as the app would (harness.init.dotenv_files): each form of
pydantic-settings' ``env_file`` and python-dotenv's ``load_dotenv``. Static: no app imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.init.dotenv_files import settings_dotenv
from harness.init.settings import read_settings

SETTINGS = """
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
{config}
    SIGNING_KEY: str
    DATABASE_URL: str

settings = Settings()
"""


def _app(tmp_path: Path, config: str, files: dict[str, str]) -> Path:
    app = tmp_path / "repo" / "svc"
    (app / "svc").mkdir(parents=True)
    (app / "svc" / "config.py").write_text(SETTINGS.format(config=config))
    for name, text in files.items():
        (app / name).parent.mkdir(parents=True, exist_ok=True)
        (app / name).write_text(text)
    return app


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ('    model_config = SettingsConfigDict(env_file="../.env")', "../.env"),
        ('    model_config = SettingsConfigDict(env_file=(".env.defaults", ".env"))', ".env"),
        ('    model_config = {"env_file": "config/app.env"}', "config/app.env"),
        ('    class Config:\n        env_file = "settings.env"', "settings.env"),
        ('    model_config = SettingsConfigDict(env_file=Path(".env"))', ".env"),
    ],
)
def test_a_required_field_the_env_file_provides_gets_no_placeholder(
    tmp_path: Path, config: str, where: str
) -> None:
    app = _app(tmp_path, config, {where: "signing_key=from-the-file\nDATABASE_URL=sqlite://\n"})
    assert settings_dotenv(app)["SIGNING_KEY"] == "from-the-file"
    found = read_settings(app)
    assert "SIGNING_KEY" not in found.env and not found.todo, (found.env, found.todo)
    assert found.database_env == {"DATABASE_URL": "{url}"}  # the harness's database wins


def test_an_env_file_that_is_not_there_provides_nothing(tmp_path: Path) -> None:
    app = _app(tmp_path, '    model_config = SettingsConfigDict(env_file="../.env")', {".env": "SIGNING_KEY=x\n"})
    found = read_settings(app)  # ./.env is not the file the settings name
    assert "SIGNING_KEY" in found.env and any("SIGNING_KEY" in line for line in found.todo)


def test_load_dotenv_reads_the_nearest_env_above_the_module(tmp_path: Path) -> None:
    app = tmp_path / "api"
    (app / "api").mkdir(parents=True)
    (app / "api" / "main.py").write_text(
        "import os\nfrom dotenv import load_dotenv\nload_dotenv()\nKEY = os.environ['SIGNING_KEY']\n"
    )
    assert "SIGNING_KEY" in read_settings(app).env
    (app / ".env").write_text("SIGNING_KEY=mine\n")
    assert "SIGNING_KEY" not in read_settings(app).env

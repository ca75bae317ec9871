"""compose_file: the whole stack (database and app) from docker compose.

The app container reuses the PostgreSQL image's Debian userland and runs this very Python
and virtualenv, mounted read-only: no registry is needed for an app image. Skipped where
no engine answers or `docker compose` (v2) is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

pytestmark = pytest.mark.stack

HEALTH = "suites/test_health.py"


def compose_available() -> bool:
    try:
        return subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=20, check=False).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def write_compose_file(folder: Path, image: str) -> Path:
    python_home = Path(os.path.realpath(sys.executable)).parents[1]  # the interpreter's prefix
    python = Path(sys.prefix) / "bin" / "python"
    serve = (
        f"cd /app && {python} -m alembic upgrade head && "
        f"exec {python} -m uvicorn reference_app.main:app --host 0.0.0.0 --port 8000"
    )
    document = {
        "services": {
            "db": {
                "image": image,
                "environment": {"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "secret", "POSTGRES_DB": "app"},
                "command": ["postgres", "-c", "listen_addresses=*", "-c", "fsync=off"],
                "ports": ["127.0.0.1::5432"],
                "healthcheck": {
                    "test": ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "app", "-d", "app"],
                    "interval": "1s",
                    "retries": 120,
                },
            },
            "app": {
                "image": image,
                "depends_on": {"db": {"condition": "service_healthy"}},
                "entrypoint": ["/bin/sh", "-c"],
                "command": [serve],
                "environment": {"DATABASE_URL": "postgresql://app:secret@db:5432/app"},
                "volumes": [
                    f"{python_home}:{python_home}:ro",
                    f"{sys.prefix}:{sys.prefix}:ro",
                    f"{REPO / 'examples/reference_app'}:/app:ro",
                ],
                "ports": ["127.0.0.1::8000"],
            },
        }
    }
    path = folder / "compose.yml"
    path.write_text(json.dumps(document, indent=2))  # JSON is YAML
    return path


def compose_leftovers(client) -> list[str]:
    containers = client.containers.list(all=True, filters={"label": "com.docker.compose.project"})
    return [c.name for c in containers if c.labels["com.docker.compose.project"].startswith("hv-")]


def test_compose_stack_is_green_on_loopback_and_removed(project, docker_client, tmp_path):
    if not compose_available():
        pytest.skip("`docker compose` (v2) is not installed")
    image = os.environ.get("HARNESS_PG_IMAGE", "pgvector/pgvector:pg17")
    compose_file = write_compose_file(tmp_path, image)
    compose = {
        "app_service": "app", "app_port": 8000, "db_service": "db", "db_port": 5432,
        "database_url": "postgresql://app:secret@{host}:{port}/app",
    }  # fmt: skip
    project.set_targets({"targets": {"containers": {"compose_file": str(compose_file), "compose": compose}}})
    result = project.run(HEALTH, "--target=containers")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*docker compose up (compose.yml, project hv-*"])
    target = project.results()["target"]
    assert target["base_url"].startswith("http://127.0.0.1:")
    assert target["database_url"].startswith("postgresql+psycopg://app:***@127.0.0.1:")
    assert compose_leftovers(docker_client) == []

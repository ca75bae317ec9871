"""Engine-dependent tests run only where a Docker engine answers and the image is there."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _engine_problem() -> str | None:
    """Why the engine tests cannot run here, or None when they can."""
    try:
        import docker
    except ImportError:
        return "testcontainers/docker not installed: pip install 'staging-harness[containers]'"
    try:
        client = docker.from_env(timeout=5)
        client.ping()
    except Exception:  # noqa: BLE001 whatever the engine raises means: skip, saying why
        where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
        return (
            f"no Docker engine at {where}: run `sudo scripts/docker-setup.sh up` "
            "and export the DOCKER_HOST and HARNESS_PG_IMAGE it prints"
        )
    image = os.environ.get("HARNESS_PG_IMAGE", "pgvector/pgvector:pg17")
    try:
        client.images.get(image)
    except Exception:  # noqa: BLE001 NotFound or the API failing: skip, saying why
        return f"image {image} is not on the engine: build it with scripts/docker-setup.sh up"
    finally:
        client.close()
    return None


@pytest.fixture(scope="session")
def _engine_client() -> Iterator[Any]:
    problem = _engine_problem()
    if problem:
        pytest.skip(problem)
    import docker

    client = docker.from_env(timeout=30)
    yield client
    client.close()


@pytest.fixture
def docker_client(_engine_client: Any) -> Iterator[Any]:
    """The engine, to one test at a time across xdist workers (pytest.ini runs -n auto): the
    engine tests count every harness-labelled container and plant leftovers for a run's
    start-up sweep, which a concurrent engine test's run would sweep or be counted in."""
    with (Path(tempfile.gettempdir()) / "hv-engine-tests.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield _engine_client

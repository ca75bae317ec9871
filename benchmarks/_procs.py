"""Processes the scale benchmarks need: the measuring child, a uvicorn server, a scratch
PostgreSQL (the harness's own embedded one)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

from benchmarks._measure import Sample, run_process
from harness.stack.postgres import EmbeddedPostgres, free_port

REPO = Path(__file__).resolve().parents[1]


def child(kind: str, args: dict[str, Any]) -> Sample:
    """One sample from ``benchmarks._child``: the check's own time as ``seconds``, the
    whole process (interpreter + imports) as ``process_s``, the child's peak RSS."""
    argv = [sys.executable, "-m", "benchmarks._child", kind, json.dumps(args)]
    sample, code, output = run_process(argv, cwd=str(REPO), env=_env())
    if code != 0:
        raise RuntimeError(f"benchmark child {kind} failed (exit {code}):\n{output[-2000:]}")
    figures = json.loads(output.strip().splitlines()[-1])
    process_s = sample.seconds
    sample.seconds = figures.pop("seconds")
    sample.extra.update({"process_s": process_s, **{k: float(v) for k, v in figures.items()}})
    return sample


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


class Server:
    """uvicorn serving ``module:app`` from ``folder`` on a free loopback port."""

    def __init__(self, folder: Path, module: str, workers: int = 1) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [sys.executable, "-m", "uvicorn", f"{module}:app", "--host", "127.0.0.1",
                "--port", str(self.port), "--log-level", "warning", "--workers", str(workers)]  # fmt: skip
        self.process = subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        self._wait_ready(timeout_s=180)

    def _wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"uvicorn on {self.base_url} did not answer in {timeout_s:.0f} s")

    def cpu_s(self) -> float:
        """CPU seconds used so far by the server and its worker processes."""
        try:
            root = psutil.Process(self.process.pid)
            procs = [root, *root.children(recursive=True)]
            return sum(sum(p.cpu_times()[:2]) for p in procs)
        except psutil.Error:
            return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait()


@contextmanager
def scratch_postgres() -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres.create()
    try:
        server.start()
        yield server
    finally:
        server.stop()


def admin(server: EmbeddedPostgres, *statements: str, database: str = "postgres") -> None:
    with psycopg.connect(server.url(database), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def recreate_database(server: EmbeddedPostgres, name: str) -> str:
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    return server.url(name)


class WanProcess:
    """``benchmarks._wan`` (the delaying proxy or the cheap app) on a free loopback port."""

    def __init__(self, mode: str, upstream: str = "", rtt_ms: float = 50.0) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.base_url = f"http://{self.address}"
        argv = [sys.executable, "-m", "benchmarks._wan", mode, "--listen", str(self.port)]
        if mode == "proxy":
            argv += ["--upstream", upstream, "--rtt-ms", str(rtt_ms)]
        self.process = subprocess.Popen(argv, cwd=REPO, env=_env(), stdin=subprocess.DEVNULL,
                                        start_new_session=True)  # fmt: skip
        self._wait_listening(timeout_s=30)

    def _wait_listening(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"benchmarks._wan exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"benchmarks._wan on {self.address} did not listen in {timeout_s:.0f} s")

    def cpu_s(self) -> float:
        try:
            return sum(psutil.Process(self.process.pid).cpu_times()[:2])
        except psutil.Error:
            return 0.0

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=15)

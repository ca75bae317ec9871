"""Running the app under test: its migrate commands, then uvicorn (ASGI) or gunicorn (WSGI,
``[app] wsgi``; README "Flask backends" says why gunicorn) on a free loopback port.

Both run in the app's own interpreter (``[app] python``) from its folder (``[app] dir``), with
its database variables filled by ``[app] database_env`` (harness.stack.appcode). What a person
must fix (a module missing from the app's venv, a failing migration, an app that exits at
start) is an ``AppCodeError`` (exit 4, one line naming the command and the interpreter), not
"blocked": a retry would not help. The log is kept where the run's report goes, so the path
in a hint still exists after teardown.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.config.targets import AppSpec
from harness.errors import AppCodeError, HarnessError, StackError
from harness.messages.core import msg
from harness.secrets import redact
from harness.stack.appcode import HELPERS, AppCode, alembic_url, last_error_line
from harness.stack.mapping import MappingProbe
from harness.stack.postgres import free_port, tail
from harness.stack.procs import OWNER_ENV, owner_marker, sweep_app_orphans
from harness.transport.wait import HttpWaitStrategy, Progress

LOG_NAME = "app.log"


def app_environment(spec: AppSpec, database_url: str) -> dict[str, str]:
    """The parent's env (so REFAPP_FAULTS and the like pass through), the profile's
    ``app.env`` and the app's database variables filled from ``database_url``."""
    env = AppCode(spec).environment(database_url)
    env[OWNER_ENV] = owner_marker()  # so the next start can sweep it if this run is killed
    return env


def _failure(what: str, spec: AppSpec, log_path: Path) -> AppCodeError:
    log = redact(tail(log_path, 200))
    return AppCodeError(
        msg("app.failure", what=what, python=spec.python, folder=spec.dir, error=last_error_line(log)),
        log_tail="\n".join(log.splitlines()[-25:]),
        hint=msg("app.whole_log", path=log_path),
    )


def is_upgrade_step(parts: Sequence[str]) -> bool:
    """``alembic … upgrade …`` or ``flask … db upgrade`` (any interpreter or runner in front):
    the migration tool's own upgrade, which builds only what the migrations say. A shell line
    (``sh -c "alembic upgrade head && …"``) is not recognised: what else it runs is unknown."""
    names = [Path(part).name for part in parts]
    if "upgrade" not in names:
        return False
    before = names[: names.index("upgrade")]
    return "alembic" in before or ("flask" in before and before[-1:] == ["db"])


def leading_upgrades(migrate: Sequence[Sequence[str]]) -> int:
    """How many of the migrate commands, from the first, are upgrade steps. Only after those
    does the database hold the migrations' schema alone: a step before them (or none being
    an upgrade) may have built something too, so 0 means "no reference copy"."""
    count = 0
    for parts in migrate:
        if not is_upgrade_step(parts):
            break
        count += 1
    return count


# Called once the leading upgrade steps are done; returns what to wait for before any other
# migrate step may connect (the reference copy needs the database to itself).
AfterUpgrade = Callable[[], Callable[[], None]]


def run_migrations(
    spec: AppSpec, env: Mapping[str, str], log_path: Path, after_upgrade: AfterUpgrade | None = None,
    database_url: str = "",
) -> None:  # fmt: skip
    """Each migrate command in turn; ``database_url`` (the harness's database) is handed to
    every ``python -m alembic`` step's configuration too (``alembic_step``)."""
    upgrades = leading_upgrades(spec.migrate)
    for index, parts in enumerate(spec.migrate):
        if after_upgrade is not None and upgrades and index == upgrades:
            # A seed step, a hand-made index or trigger comes next: the reference copy must be
            # complete before it runs, or it would become "what the migrations build".
            after_upgrade()()
        _run_step(spec, AppCode(spec).command(parts), env, log_path, database_url)
    if after_upgrade is not None and upgrades == len(spec.migrate):
        after_upgrade()  # nothing follows: the copy overlaps the app's start


def alembic_step(command: list[str]) -> list[str] | None:
    """``PYTHON -m alembic ARGS`` (or a venv's ``bin/alembic ARGS``, run by that venv's
    python) through helpers/alembic_cli.py: the same command line, its configuration pointed
    at the harness's database. None for any other command (``alembic`` found on PATH too:
    whose interpreter it is, is unknown)."""
    if len(command) >= 3 and command[1:3] == ["-m", "alembic"]:
        return [command[0], str(HELPERS / "alembic_cli.py"), *command[3:]]
    script = Path(command[0]) if command else Path()
    python = script.with_name("python")
    if script.name == "alembic" and script.parent != Path() and python.is_file():
        return [str(python), str(HELPERS / "alembic_cli.py"), *command[1:]]
    return None


class MigrationsDiverged(HarnessError):
    """The migrate step stopped on Alembic's "Multiple head revisions": the scripts have
    several heads. Not a setting a person got wrong but a finding about the app's migrations,
    judged by migration-head on the database as the step left it (the app is not started)."""


# Alembic's words when "upgrade head" meets a script directory with more than one head.
_SEVERAL_HEADS = "Multiple head revisions are present"


def _run_step(
    spec: AppSpec, command: list[str], env: Mapping[str, str], log_path: Path, database_url: str = ""
) -> None:
    run, step_env = command, dict(env)
    pointed = alembic_step(command) if database_url else None
    if pointed is not None:  # env.py may build its engine from alembic.ini's sqlalchemy.url
        run, step_env["HV_ALEMBIC_URL"] = pointed, alembic_url(spec, database_url)
    start = log_path.stat().st_size if log_path.exists() else 0
    with log_path.open("a") as log:
        log.write(f"$ {' '.join(command)}\n")
        log.flush()
        try:
            proc = subprocess.run(
                run, cwd=spec.dir, env=step_env, stdout=log, stderr=subprocess.STDOUT,
                timeout=300, stdin=subprocess.DEVNULL, check=False,
            )  # fmt: skip
        except OSError as exc:
            raise AppCodeError(
                msg("app.migrate_cannot_run", command=command[0], error=exc)
            ) from None
    if proc.returncode != 0 and _SEVERAL_HEADS in _since(log_path, start):
        raise MigrationsDiverged(
            f"the migrate step {' '.join(command)} stopped: Alembic found several head "
            "revisions (see migration-head), so the app was not started"
        )
    if proc.returncode != 0:
        raise _failure(
            msg("app.migrate_failed", code=proc.returncode, command=" ".join(command)),
            spec,
            log_path,
        )


def _since(log_path: Path, start: int) -> str:
    """What the log gained from byte ``start`` on (one step's output)."""
    with log_path.open("rb") as log:
        log.seek(start)
        return log.read().decode(errors="replace")


@dataclass
class AppProcess:
    """uvicorn serving ``spec.asgi`` or gunicorn serving ``spec.wsgi``. Its own session, so Ctrl-C reaches the harness first
    and the harness decides the order of teardown."""

    spec: AppSpec
    env: Mapping[str, str]
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_command(self) -> list[str]:
        if self.spec.wsgi:
            # Two sync workers: the flow's concurrent bursts need more than one request at a
            # time; --graceful-timeout bounds the SIGTERM drain at teardown.
            return [
                self.spec.python, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                "--workers", "2", "--graceful-timeout", "5", "--log-level", "warning",
                self.spec.wsgi,
            ]  # fmt: skip
        return [
            self.spec.python, "-m", "uvicorn", self.spec.asgi,
            "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning",
        ]  # fmt: skip

    def start(self) -> None:
        command = self.server_command()
        with self.log_path.open("ab") as log:
            log.write(f"$ {' '.join(command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=self.spec.dir,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait_ready(self, health_path: str, progress: Progress) -> None:
        strategy = HttpWaitStrategy(
            url=f"{self.base_url}{health_path}",
            timeout_s=self.spec.start_timeout_s,
            interval_s=0.2,
            hint=msg("app.not_up_hint", path=self.log_path),
        )
        try:
            strategy.wait(progress, alive=self._death_reason)
        except Exception as exc:
            if self.process is not None and self.process.poll() is not None:
                # It exited on its own: a missing module, a bad setting. Retrying will not help.
                code = self.process.returncode
                raise _failure(
                    msg("app.exited_at_start", code=code), self.spec, self.log_path
                ) from None
            if isinstance(exc, StackError):
                exc.log_tail = exc.log_tail or redact(tail(self.log_path, 25))
                raise
            raise StackError(
                msg("app.not_ready", error=exc),
                log_tail=redact(tail(self.log_path, 25)),
                hint=msg("app.see_log", path=self.log_path),
            ) from exc

    def _death_reason(self) -> str | None:
        if self.process is None or self.process.poll() is None:
            return None
        return msg("app.exited_before_answering", code=self.process.returncode)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def launch_app(
    spec: AppSpec, health_path: str, database_url: str, log_path: Path,
    progress: Progress, timings: dict[str, float],
    after_upgrade: AfterUpgrade | None = None, mapping: MappingProbe | None = None,
    serve: bool = True,
) -> AppProcess | None:  # fmt: skip
    """Migrations, then uvicorn until healthy: the same for every kind that runs the app.
    ``after_upgrade`` is called right after the leading upgrade steps (``leading_upgrades``),
    while nothing is connected to the database; never when the first step is no upgrade.
    ``mapping`` proves each step used the harness's database (harness.stack.mapping).
    ``serve=False``: the migrations only (no selected test talks to the app; None)."""
    sweep_app_orphans()  # apps of a killed run (own session: nothing else stops them)
    env = app_environment(spec, database_url)
    mark = time.perf_counter()
    progress(f"running the app's migrations (log: {log_path})")
    run_migrations(spec, env, log_path, after_upgrade, database_url)
    if mapping is not None:
        mapping.after_migrations(progress)
    timings["migrations"] = time.perf_counter() - mark
    if not serve:
        progress("not starting the app: the selected tests need only the database")
        return None
    mark = time.perf_counter()
    progress(f"starting the app under {'gunicorn' if spec.wsgi else 'uvicorn'}")
    app = AppProcess(spec, env, log_path)
    try:
        app.start()
        app.wait_ready(health_path, progress)
        if mapping is not None:
            mapping.after_start(progress)
    except BaseException:
        app.stop()
        raise
    timings["app_start"] = time.perf_counter() - mark
    return app


def log_file(log_dir: Path | None) -> Path:
    """Where the app's log goes: the run's report folder, else a folder teardown keeps
    (never the stack's own temporary folder, which teardown deletes)."""
    folder = log_dir or Path(tempfile.mkdtemp(prefix="hv-app-log-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_NAME

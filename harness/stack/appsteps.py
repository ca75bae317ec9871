"""The app's migrations as a conversation: one alembic command, then the harness looks, then
the next (``helpers/migrate_steps.py`` in the app's interpreter, from its folder).

One process serves every step, so a round trip over a long history pays the app's imports once
instead of once per step. Its stderr (Alembic's log) goes to a file that is shown only when the
helper itself dies; stdout lines other than its ``HV-JSON:`` answers (a migration's prints)
are skipped. A step that outlives ``timeout_s`` ends the helper and reads as a failure.

A step that fails is run once more in a fresh helper before it counts: an env.py whose app
module keeps an engine (an asyncpg pool tied to the first command's event loop) fails the
second command in one interpreter ("attached to a different loop") though ``alembic`` on the
command line, one process per command, works. If the fresh helper succeeds, every later step
gets a fresh helper too; if it fails as well, the first failure is the one reported.
"""

from __future__ import annotations

import json
import queue
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from harness.errors import AppCodeError
from harness.messages.core import msg
from harness.secrets import redact
from harness.stack.appcode import HELPERS, JSON_PREFIX, AppCode, last_error_line


class MigrationSteps:
    """``with MigrationSteps(app, ini, env) as steps: steps.run("upgrade", "0001")``."""

    def __init__(self, app: AppCode, ini: Path, env: Mapping[str, str], timeout_s: float = 600) -> None:
        self.app, self.timeout_s = app, timeout_s
        self.argv = [app.spec.python, str(HELPERS / "migrate_steps.py"), str(ini)]
        if app.spec.migrations == "flask" and app.spec.wsgi:
            self.argv.append(f"--flask={app.spec.wsgi}")
        self.env = dict(env)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.proc: subprocess.Popen[str] | None = None
        self.log: IO[str] | None = None
        self.fresh_each_step = False  # set once a step worked only in a fresh helper

    def __enter__(self) -> Self:
        self._start()
        return self

    def _start(self) -> None:
        self.lines = queue.Queue()
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed in _stop, with the helper)
        self.proc = subprocess.Popen(
            self.argv, cwd=self.app.spec.dir, env=self.env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, bufsize=1,
        )  # fmt: skip
        # Its own queue: a stopped helper's reader must not end the next helper's answers.
        threading.Thread(target=_read, args=(self.proc.stdout, self.lines), daemon=True).start()
        if self._answer(self.timeout_s) is None:
            raise self._died("could not load the app's Alembic configuration")

    def _answer(self, timeout_s: float) -> dict[str, Any] | None:
        try:
            line = self.lines.get(timeout=timeout_s)
        except queue.Empty:
            return {"ok": False, "output": f"TimeoutError: the step ran longer than {timeout_s:g}s"}
        return None if line is None else json.loads(line)

    def run(self, verb: str, revision: str) -> str | None:
        """``alembic <verb> <revision>``; ``None`` when it worked, else its traceback (redacted)."""
        if self.fresh_each_step:
            self._restart()
        output = self._run_once(verb, revision)
        if output is None or output.startswith("TimeoutError") or self.fresh_each_step:
            return output
        self._restart()
        if self._run_once(verb, revision) is None:
            self.fresh_each_step = True  # the failure was this interpreter's, not the migration's
            return None
        return output

    def _restart(self) -> None:
        self._stop()
        self._start()

    def _run_once(self, verb: str, revision: str) -> str | None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(f"{verb} {revision}\n")
            self.proc.stdin.flush()
        except OSError:
            raise self._died(f"{verb} {revision}") from None
        answer = self._answer(self.timeout_s)
        if answer is None:
            raise self._died(f"{verb} {revision}")
        if answer.get("ok"):
            return None
        if answer["output"].startswith("TimeoutError"):
            self.proc.kill()
        return redact(answer["output"])

    def _died(self, doing: str) -> AppCodeError:
        output = ""
        if self.log is not None:
            self.log.seek(0)
            output = redact(self.log.read())
        error = AppCodeError(
            msg("steps.stopped", python=self.app.spec.python, folder=self.app.spec.dir, doing=doing,
                error=last_error_line(output)),
            hint=msg("steps.by_hand"),
            log_tail="\n".join(output.splitlines()[-25:]),
        )  # fmt: skip
        error.error_line = last_error_line(output)
        return error

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop()

    def _stop(self) -> None:
        if self.proc is not None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()  # EOF: the helper's loop ends
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self.log is not None:
            self.log.close()
        self.proc, self.log = None, None


def _read(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
    for line in stream or ():
        if line.startswith(JSON_PREFIX):
            lines.put(line[len(JSON_PREFIX) :])
    if stream is not None:
        stream.close()  # its reader owns it: nothing else reads the pipe
    lines.put(None)  # end of output: the helper is gone

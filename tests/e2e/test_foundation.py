"""The foundation end to end: real embedded PostgreSQL, real app, real HTTP.

Each fault test starts the reference app with one named fault and asserts that exactly
the expected checklist item fails, with a message a person can act on.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from support import EXIT_BLOCKED

pytestmark = pytest.mark.stack

HEALTH = "suites/test_health.py"


def test_healthy_stack_is_green_and_writes_results(project):
    result = project.run(HEALTH)
    result.assert_outcomes(passed=1)
    data = project.results()
    assert data["status"] == "passed" and data["counts"]["passed"] == 1
    assert data["tests"][0]["checklist"] == ["health"]
    assert data["tests"][0]["checks"][0]["evidence"]["status"] == 200
    assert "***" in data["target"]["database_url"]
    assert result.outlines[-1].startswith("Phase 1 local: 1/")  # the checklist summary line
    assert not project.leftover_clusters()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("health_500", "answered HTTP 500, expected 200"),
        ("health_wrong_body", 'does not match {"status": "ok"}'),
    ],
)
def test_health_fault_fails_health_item(project, fault, message):
    result = project.run(HEALTH, faults=fault)
    result.assert_outcomes(failed=1)
    assert result.ret == 1
    result.stdout.fnmatch_lines([f"*[[]health[]]*{message}*"])
    assert project.failed_items() == {"health"}
    assert project.results()["tests"][0]["checks"][0]["remediation"]
    assert not project.leftover_clusters()  # a failing test still tears the stack down


def test_slow_health_fails_the_latency_budget(project):
    project.set_targets({"targets": {"local": {"health": {"budget_s": 0.5}}}})
    result = project.run(HEALTH, faults="health_slow", env={"REFAPP_HEALTH_DELAY": "1.0"})
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*over the latency budget of 0.5s*"])


def test_unreachable_target_is_blocked_not_failed(project):
    project.set_targets(
        {"targets": {"dead": {"kind": "remote", "base_url": "http://127.0.0.1:9", "health": {"wait_timeout_s": 1.0}}}}
    )
    result = project.run(HEALTH, "--target=dead")
    assert result.ret == EXIT_BLOCKED
    result.stdout.fnmatch_lines(["*BLOCKED*connection refused*"])
    data = project.results()
    assert data["status"] == "blocked" and data["counts"]["blocked"] == 1
    assert "connection refused" in data["tests"][0]["message"]


def test_malformed_targets_toml_is_one_line_and_blocked_report(project):
    (project.path / "targets.toml").write_text("[targets.local\nkind = ")
    result = project.run(HEALTH)
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: *targets.toml: not valid TOML*Hint: fix the syntax there"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
    assert project.results()["status"] == "blocked"


def test_missing_env_var_names_variable(project):
    result = project.run(HEALTH, "--target=staging", env={"STAGING_BASE_URL": ""})
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: targets.staging.base_url: environment variable STAGING_BASE_URL is not set*"])
    assert project.results()["blocked_reason"].startswith("targets.staging.base_url")


def test_app_that_cannot_start_is_a_usage_error_with_its_log(project):
    """An app that exits at start needs a person, not a retry: exit 4 (issue 11)."""
    result = project.run(HEALTH, faults="no_such_fault")
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*CONFIGURATION ERROR*app exited with code*", "*last lines of the log*"])
    result.stdout.fnmatch_lines(["*no_such_fault*"])
    assert project.results()["status"] == "blocked"
    assert not project.leftover_clusters()


def test_failed_migration_is_a_usage_error_and_tears_down(project):
    project.set_targets({"targets": {"local": {"app": {"migrate": ["{python}", "-c", "raise SystemExit(3)"]}}}})
    result = project.run(HEALTH)
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*CONFIGURATION ERROR*migrate command failed (exit 3)*"])
    assert not project.leftover_clusters()


def test_password_never_reaches_output_or_report(project):
    project.set_targets(
        {"targets": {"pw": {"kind": "remote", "base_url": "http://127.0.0.1:9",
                            "database_url": "postgresql+asyncpg://app:Sup3rSecretPw@127.0.0.1:9/app",
                            "health": {"wait_timeout_s": 0.5}}}}
    )
    result = project.run(HEALTH, "--target=pw")
    assert "Sup3rSecretPw" not in result.stdout.str() + result.stderr.str()
    for path in project.path.joinpath("reports").rglob("*"):
        if path.is_file():
            assert "Sup3rSecretPw" not in path.read_text()


def test_xdist_controller_provisions_once(project):
    pytest.importorskip("xdist")
    result = project.run(HEALTH, "-n", "2")
    result.assert_outcomes(passed=1)
    assert result.stdout.str().count("starting embedded PostgreSQL") == 1
    assert not project.leftover_clusters()


def _default_sigint() -> None:
    """A shell starts background jobs with SIGINT ignored, and Python then never turns it
    into KeyboardInterrupt: a suite run with `&` or nohup made the Ctrl-C case wait out the
    test's 60 s sleep. A person pressing Ctrl-C has it at its default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_run_tears_the_stack_down(project, signum):
    (project.path / "suites" / "test_zz_slow.py").write_text(
        "import time, pytest\n\n"
        "@pytest.mark.checklist('health')\n"
        "def test_slow(target):\n"
        "    print('SLOW-TEST-STARTED', flush=True)\n"
        "    time.sleep(60)\n"
    )
    env = {**os.environ, "TMPDIR": str(project.tmpdir), "REFAPP_FAULTS": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-s", "suites/test_zz_slow.py"],
        cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        preexec_fn=_default_sigint,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "SLOW-TEST-STARTED" in line:
            break
    assert project.leftover_clusters(), "the stack should be up while the test runs"
    proc.send_signal(signum)
    proc.communicate(timeout=60)
    assert proc.returncode == 2  # pytest's "interrupted"
    assert not project.leftover_clusters()
    assert project.results()["exit_status"] == 2


class _WakingService:
    """A service that answers 503 (like a PaaS waking a sleeping app) for its first seconds.

    The "asleep" window starts at the first request, not when the object is built: on a
    loaded machine the harness may take longer than the window just to start, and would
    then never see a 503."""

    def __init__(self, asleep_s: float) -> None:
        import http.server
        import threading
        import time

        wake_at: list[float] = []  # set by the first request
        lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # http.server's naming
                with lock:
                    if not wake_at:
                        wake_at.append(time.monotonic() + asleep_s)
                awake = time.monotonic() >= wake_at[0]
                body = b'{"status": "ok"}' if awake else b"waking up"
                self.send_response(200 if awake else 503)
                self.send_header("Content-Type", "application/json" if awake else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def test_cold_start_is_waited_for_once_with_a_visible_progress_line(project):
    pytest.importorskip("xdist")
    service = _WakingService(asleep_s=2.5)
    try:
        project.set_targets({"targets": {"sleepy": {
            "kind": "remote", "base_url": service.url,
            "health": {"path": "/health", "wait_timeout_s": 30.0, "wait_interval_s": 0.5},
        }}})  # fmt: skip
        result = project.run(HEALTH, "--target=sleepy", "-n", "2")
    finally:
        service.close()
    result.assert_outcomes(passed=1)
    # Printed by the controller, so visible even though the test ran in a worker.
    result.stdout.fnmatch_lines(["*waiting for*/health to answer*HTTP 503*", "*answered HTTP 200 after*"])

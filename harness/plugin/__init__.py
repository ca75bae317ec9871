"""pytest hooks: options, target resolution, session provisioning, result collection.

Order of a run (controller = the only process without xdist):
  configure      resolve the target (a ConfigError becomes a UsageError, exit 4, after a
                 "blocked" results.json is written)
  sessionstart   controller: bring up the local stack once; xdist workers read its
                 addresses from ``workerinput`` instead
  runtest        ``TargetUnavailable`` anywhere turns the test into "blocked"
  collection     an unknown ``@pytest.mark.checklist`` id is a usage error (exit 4)
  sessionfinish  controller: look up DB facts, tear the stack down, roll tests up into
                 checklist items, decide the exit code from them, write the report folder
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from harness.config.profile import checks_spec, validate_profile
from harness.config.targets import DEFAULT_TARGETS_FILE, resolve_target
from harness.errors import ConfigError, TargetUnavailable, TargetUnreachable, cause_of
from harness.messages.core import drain
from harness.plugin import builtin
from harness.plugin.session import HarnessState, get_state, state_key
from harness.report.checklist import DEFAULT_CHECKLISTS_DIR, LANGS, checklist_key, load_checklist
from harness.report.results import (
    PROP_BLOCKED,
    PROP_CAUSE,
    PROP_CHECKLIST,
    PROP_CONFIG,
    PROP_MESSAGES,
    ResultsCollector,
)
from harness.report.scrub import scrub_report
from harness.stack import StackAddresses
from harness.transport.wait import Throttled

pytest_plugins = [
    "harness.plugin.fixtures", "harness.plugin.database", "harness.plugin.facts",
    "harness.plugin.checklist", "harness.plugin.deploy", "harness.plugin.fastexit",
    "harness.plugin.restarts", "harness.plugin.secrets_sync", "harness.plugin.account",
    "harness.plugin.isolation", "harness.plugin.writes", "harness.plugin.leftovers",
    "harness.plugin.parity",
    "harness.plugin.migratestop", "harness.plugin.applog",
    "harness.plugin.prefetch",
    "harness.plugin.interrupts",
]

_WORKER_KEY = "staging_harness"


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from harness.plugin import hookspecs as hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("staging-harness", "staging verification harness")
    group.addoption("--target", default=None, help="target profile from targets.toml; without one the harness stays out of the run")
    group.addoption("--target-file", default=None, help="path of targets.toml")
    group.addoption("--target-base-url", default=None, help="override the profile's base_url")
    group.addoption("--target-database-url", default=None, help="override the profile's database_url")
    group.addoption("--target-alembic-ini", default=None, help="override the profile's alembic_ini")
    group.addoption("--report-dir", default=None, help="where report folders go (default: reports)")
    group.addoption("--no-report", action="store_true", help="write no report folder")
    group.addoption("--report-lang", default="en", choices=LANGS, help="language of the checklist report")
    group.addoption("--report-tz", default=None, help="time zone of the report's times (default: profile report_tz, else the machine's; JST for ja)")
    group.addoption("--waivers", default=None, help="path of waivers.toml (default: waivers.toml beside targets.toml)")
    parser.addini("harness_targets_file", "path of targets.toml", default=DEFAULT_TARGETS_FILE)
    parser.addini("harness_report_dir", "where report folders go", default="reports")
    parser.addini("harness_waivers", "path of waivers.toml", default="waivers.toml")
    parser.addini("harness_checklists_dir", "where checklists/<name>.toml live", default=DEFAULT_CHECKLISTS_DIR)
    builtin.add_options(parser)


@pytest.hookimpl(tryfirst=True)  # before junitxml reads --junitxml (see prepare_report_dir)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "checklist(item_id): the checklist item this test proves (see checklists/)"
    )
    name = builtin.target_name(config)
    if name is None:  # installed by its entry point, but this run did not ask for it
        builtin.deactivate(config, sys.modules[__name__])
        return
    from harness.plugin.isolation import isolated  # lazily: a plugin too (assert rewriting)
    from harness.plugin.paths import refuse_repeated_options

    refuse_repeated_options(config, "--target", "--target-file")
    builtin.add_builtin_suites(config, isolated=isolated(config))
    workerinput = getattr(config, "workerinput", None)
    state = HarnessState.new(name)
    if workerinput and _WORKER_KEY in workerinput:
        state.run_id = json.loads(workerinput[_WORKER_KEY])["run_id"]
    config.stash[state_key] = state
    try:
        state.target = resolve_target(name, _targets_path(config), overrides=_overrides(config))
        validate_profile(state.target)
        checklist = load_checklist(state.target.checklist, _checklists_dir(config))
        config.stash[checklist_key] = checklist
        # Lazily: harness.plugin.checklist is also a plugin; imported first here, pytest
        # could not rewrite its asserts (a warning in every run loaded by the entry point).
        from harness.plugin.checklist import check_applicability, not_applicable_key

        applicability = checks_spec(state.target)
        check_applicability(checklist, applicability, f"targets.{name}.checks")
        not_applicable = dict(applicability.not_applicable)
        from harness.plugin.parity import configure_parity

        configure_parity(config, state.target, checklist, not_applicable, _targets_path(config))
        config.stash[not_applicable_key] = not_applicable
        from harness.plugin.report import validate_report_options

        validate_report_options(config, state)  # report_tz and waivers.toml
    except ConfigError as exc:
        state.config_error = exc
        if workerinput is None:
            _fallback_checklist(config)
            _write_results(config, state, exit_status=4)
        raise pytest.UsageError(exc.one_line()) from None
    if workerinput is None:
        state.collector = ResultsCollector()
        config.pluginmanager.register(state.collector, "harness-results")
        config.pluginmanager.register(ConfigErrorWatch(state), "harness-config-errors")
        _teardown_on_sigterm()
        from harness.plugin.facts import (
            FactCollector,  # lazily: harness.plugin.facts is also a plugin
        )

        config.pluginmanager.register(FactCollector(state.extra), "harness-facts")
        if _writes_report(config):
            from harness.plugin.report import prepare_report_dir, write_started

            prepare_report_dir(config, state)
            write_started(config, state)  # "interrupted" until replaced at the end


def _teardown_on_sigterm() -> None:
    """CI cancels a job with SIGTERM; by default Python dies without any teardown and
    leaves PostgreSQL and uvicorn running. Turn it into the same path as Ctrl-C, and
    remember either, so a swallowed KeyboardInterrupt cannot end in exit 0."""
    from harness.plugin import signals

    signals.install()


def _checklists_dir(config: pytest.Config) -> Path:
    return builtin.checklists_dir(config)


def _fallback_checklist(config: pytest.Config) -> None:
    """A run stopped by a configuration error still reports the default checklist, blocked."""
    try:
        config.stash[checklist_key] = load_checklist("phase1", _checklists_dir(config))
    except ConfigError:
        pass


def _writes_report(config: pytest.Config) -> bool:
    listing = _only_listing(config) or config.getoption("help", False)
    return not config.getoption("no_report", False) and not listing


def _targets_path(config: pytest.Config) -> Path:
    from harness.plugin.paths import option_or_ini

    return option_or_ini(config, "target_file", "harness_targets_file", DEFAULT_TARGETS_FILE)


def _overrides(config: pytest.Config) -> dict[str, str | None]:
    return {
        "base_url": config.getoption("target_base_url"),
        "database_url": config.getoption("target_database_url"),
        "alembic_ini": config.getoption("target_alembic_ini"),
    }


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    state = get_state(config)
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        _adopt_from_controller(state, json.loads(workerinput[_WORKER_KEY]))
        return
    if state.target is None or _only_listing(config):
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    write = reporter.write_line if reporter else lambda line: print(line, file=sys.stderr)
    if state.target.provisions_stack:
        _provision(config, state, write)
    # Once, here on the controller, so the progress line is visible under xdist too.
    state.wait_for_http(Throttled(write, every_s=5.0))
    from harness.plugin.deploy import wait_for_deploy

    wait_for_deploy(config, state, write)  # the revision just pushed, before judging anything


def _provision(config: pytest.Config, state: HarnessState, write: Any) -> None:
    from harness.plugin.needs import app_needed

    state.provision(Throttled(write), with_app=app_needed(config, state.target))
    if state.unavailable is None and state.addresses is not None:
        config.hook.pytest_harness_stack_ready(
            config=config, target=state.target, addresses=state.addresses
        )
    if state.unavailable is not None:
        label = "CONFIGURATION ERROR (exit 4)" if state.config_error else "BLOCKED"
        write(f"harness: {label}: {state.unavailable.one_line()}")
        log_tail = getattr(state.unavailable, "log_tail", "")
        if log_tail:
            write("harness: last lines of the log:\n" + log_tail)


def _adopt_from_controller(state: HarnessState, handed: dict[str, Any]) -> None:
    if handed.get("unavailable"):
        state.unavailable = TargetUnavailable(handed["unavailable"], cause=handed.get("unavailable_cause"))
    elif handed.get("addresses"):
        state.adopt(StackAddresses.from_json(handed["addresses"]))
    if handed.get("http_unavailable"):
        kind = ConfigError if handed.get("http_config_error") else TargetUnreachable
        state.http_unavailable = kind(handed["http_unavailable"])
        if isinstance(state.http_unavailable, TargetUnavailable):
            state.http_unavailable.cause = handed.get("http_unavailable_cause") or state.http_unavailable.cause
    state.http_ready = bool(handed.get("http_ready"))


def _only_listing(config: pytest.Config) -> bool:
    return bool(
        config.getoption("collectonly") or config.getoption("markers", False) or config.getoption("showfixtures", False)
    )


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller → worker: the run id and the provisioned addresses."""
    state = get_state(node.config)
    node.workerinput[_WORKER_KEY] = json.dumps(
        {
            "run_id": state.run_id,
            "addresses": state.addresses.to_json() if state.addresses else None,
            "unavailable": state.unavailable.one_line() if state.unavailable else None,
            "unavailable_cause": cause_of(state.unavailable) if state.unavailable else None,
            "http_ready": state.http_ready,
            "http_unavailable": (
                state.http_unavailable.one_line() if state.http_unavailable else None
            ),
            "http_config_error": isinstance(state.http_unavailable, ConfigError),
            "http_unavailable_cause": cause_of(state.http_unavailable) if state.http_unavailable else None,
        }
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    marker = item.get_closest_marker("checklist")
    if marker and call.when == "setup":
        report.user_properties.append((PROP_CHECKLIST, [str(arg) for arg in marker.args]))
        item.user_properties.append((PROP_CHECKLIST, [str(arg) for arg in marker.args]))
    if call.excinfo is not None and call.excinfo.errisinstance((TargetUnavailable, ConfigError)):
        # The target could not be looked at, or a person must fix the configuration (the app's
        # code cannot run, the replay went elsewhere): not a product failure, so not "failed".
        error = call.excinfo.value
        assert isinstance(error, (TargetUnavailable, ConfigError))
        reason = str(error.one_line())
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"blocked: {reason}")
        report.user_properties.append((PROP_BLOCKED, reason))
        report.user_properties.append((PROP_CAUSE, cause_of(call.excinfo.value)))
        if call.excinfo.errisinstance(ConfigError):
            report.user_properties.append((PROP_CONFIG, reason))
    made = drain()  # the Messages of this phase: the report renders them in Japanese from their ids
    if made:
        report.user_properties.append((PROP_MESSAGES, made))
    scrub_report(report)  # tracebacks show arguments, captured output may hold a URL


class ConfigErrorWatch:
    """Controller (xdist workers' reports too): a ConfigError inside a test makes the run exit 4."""

    def __init__(self, state: HarnessState) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        reasons = [value for key, value in report.user_properties if key == PROP_CONFIG]
        if reasons and self.state.config_error is None:
            self.state.config_error = ConfigError(str(reasons[0]))


def pytest_report_teststatus(report: pytest.TestReport) -> tuple[str, str, str] | None:
    if report.skipped and any(key == PROP_BLOCKED for key, _ in report.user_properties):
        return "blocked", "B", "BLOCKED"
    return None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    finish_session(session, exitstatus)


def finish_session(session: pytest.Session, exitstatus: int) -> None:
    """Controller, once: facts, the stack down, the report. Also called by
    harness.plugin.interrupts when an interrupt kept the hook above from running."""
    config = session.config
    if hasattr(config, "workerinput"):
        return
    state = get_state(config)
    if state.finished:
        return
    state.finished = True
    from harness.transport import writes

    # Fixtures torn down at the session's end (a test stopped by Ctrl-C): their cleanup writes.
    writes.collect(state.extra, writes.drain(), "teardown at session finish")
    if state.unavailable is None and not _only_listing(config):
        from harness.plugin.facts import fill_missing_facts

        fill_missing_facts(state.target, state.extra)  # before the local stack goes away
    state.teardown()
    if state.collector is None:
        return
    from harness.plugin.checklist import collection_watch
    from harness.plugin.report import finish_run

    watch = collection_watch(config)
    if state.config_error is not None:  # found while bringing the stack up (the app's code)
        exitstatus = pytest.ExitCode.USAGE_ERROR
    from harness.plugin.signals import received

    if received() is not None:  # told to stop: never 0, even if the interrupt was swallowed
        exitstatus = pytest.ExitCode.INTERRUPTED
    if watch.unknown_item:
        exitstatus = pytest.ExitCode.USAGE_ERROR  # found by an xdist worker (checklist_hooks)
    # Exit code from the item statuses: 0 / 1 / 75 (see harness.report.checklist.decide_exit).
    session.exitstatus = finish_run(
        config, state, int(exitstatus), write=_writes_report(config), collection_errors=watch.errors,
        not_collected=watch.failures,
    )
    _write_allure_extras(config, state)


def _write_allure_extras(config: pytest.Config, state: HarnessState) -> None:
    from harness.plugin.report import payload_key
    from harness.report.allure import alluredir, write_extras
    from harness.report.files import redact_tree

    directory = alluredir(config)
    if directory is None:
        return
    target = state.target.describe() if state.target else {"name": state.target_name}
    write_extras(directory, config.stash.get(payload_key, None), target)
    redact_tree(directory)


def _write_results(config: pytest.Config, state: HarnessState, exit_status: int) -> None:
    from harness.plugin.report import write_run_report

    if not _writes_report(config):
        return
    state.report_dir = write_run_report(config, state, exit_status)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(state_key, None)
    if state is None:
        return
    state.teardown()  # idempotent; covers a session that never reached sessionfinish
    if state.collector is not None and not _only_listing(config):
        # Printed here, after pytest's own stats line, so it is the last line of output.
        from harness.plugin.report import blocked_reasons, summary_line

        reporter = config.pluginmanager.get_plugin("terminalreporter")
        write = reporter.write_line if reporter else print
        for reason in blocked_reasons(state):
            write(f"harness: BLOCKED: {reason}")
        from harness.plugin.checklist import collection_watch

        for failure in collection_watch(config).failures:
            write(f"harness: NOT COLLECTED: {failure['path']}: {failure['reason']}")
        if state.report_dir is not None:
            write(f"harness: report: {state.report_dir / 'checklist.html'}")
        write(summary_line(config, state))

"""Collection-time checks of ``@pytest.mark.checklist`` ids, and Allure labels.

An id the run's checklist does not know is a usage error (exit 4) naming the id, the test
and the known ids. Without xdist that is a plain ``pytest.UsageError``. Under xdist the
controller collects nothing and a worker's UsageError would only crash it, so a worker
turns the collection report of the offending module into a failed one carrying the same
message, and the controller, on seeing it, sets exit 4 at session end.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable
from pathlib import Path
from typing import Any

import pytest

from harness.config.profile import ChecksSpec, suggestion
from harness.errors import ConfigError
from harness.messages.core import msg
from harness.report.checklist import Checklist, checklist_key
from harness.report.results import NA_PREFIX
from harness.secrets import redact

# Where the plugin keeps the profile's n/a items (item id → reason).
not_applicable_key = pytest.StashKey[dict[str, str]]()

_MESSAGE_START = "unknown checklist item"


def unknown_item_message(checklist: Checklist, items: Iterable[pytest.Item]) -> str | None:
    used = {str(arg): item.nodeid for item in items for marker in item.iter_markers("checklist") for arg in marker.args}
    unknown = checklist.unknown_ids(used)
    if not unknown:
        return None
    return (
        f"{_MESSAGE_START} {unknown[0]!r} in {used[unknown[0]]} (checklist {checklist.id!r}). "
        f"Hint: use one of: {', '.join(checklist.ids)}"
    )


def check_applicability(checklist: Checklist, spec: ChecksSpec, where: str) -> None:
    """An item named n/a must exist: a typo would otherwise leave the real item gating."""
    for item_id in spec.not_applicable:
        if checklist.item(item_id) is None:
            raise ConfigError(
                msg("config.na_unknown_item", where=where, item=repr(item_id), checklist=repr(checklist.id)),
                hint=suggestion(item_id, set(checklist.ids)),
            )


def skip_not_applicable(items: list[pytest.Item], not_applicable: dict[str, str]) -> None:
    """A test whose every item is n/a does not run: it would only touch the target."""
    for item in items:
        ids = [str(arg) for marker in item.iter_markers("checklist") for arg in marker.args]
        if ids and all(item_id in not_applicable for item_id in ids):
            reason = not_applicable[ids[0]]
            item.add_marker(pytest.mark.skip(reason=f"{NA_PREFIX}{reason}"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    checklist = config.stash.get(checklist_key, None)
    if checklist is None:
        return
    message = unknown_item_message(checklist, items)
    if message:
        raise pytest.UsageError(message)
    skip_not_applicable(items, config.stash.get(not_applicable_key, {}))
    from harness.report.allure import add_labels

    add_labels(config, items, checklist)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    checklist = collector.config.stash.get(checklist_key, None)
    if checklist is None or not hasattr(collector.config, "workerinput"):
        return
    report: pytest.CollectReport = outcome.get_result()
    if report.passed:
        message = unknown_item_message(checklist, [n for n in report.result if isinstance(n, pytest.Item)])
        if message:
            report.outcome, report.longrepr = "failed", message


class CollectionWatch:
    """Controller: the collection errors (a broken module must not exit 0, and the report
    names each file and why), and the unknown-id message a worker sent (the xdist path)."""

    name = "harness-collection-watch"

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.errors = 0
        self.failures: list[dict[str, str]] = []
        self.unknown_item: str | None = None

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors += 1
            if str(report.longrepr).startswith(_MESSAGE_START):
                self.unknown_item = str(report.longrepr)
            self.add(describe_failure(report, self.root))

    def add(self, failure: dict[str, str]) -> None:
        if failure not in self.failures:  # a conftest met at start and again by collection
            self.failures.append(failure)


# pytest's text for a module or conftest that does not import names the file in quotes.
_IMPORTING = re.compile(r"while (?:importing test module|loading conftest) '([^']+)'")


def describe_failure(report: pytest.CollectReport, root: Path | None) -> dict[str, str]:
    """``{"path", "reason"}``: the file that did not import and the error's last line."""
    text = report.longreprtext
    crash = getattr(report.longrepr, "reprcrash", None)
    named = _IMPORTING.search(text)
    path = named.group(1) if named else getattr(crash, "path", None) or report.nodeid
    reason = getattr(crash, "message", None) or _last_error_line(text)
    # Lazily: harness.plugin.isolation is a plugin too; imported at the top of this module it
    # would be loaded before pytest could rewrite its asserts (a warning in every run).
    from harness.plugin.isolation import MAX_REASON

    return {"path": relative(Path(path), root), "reason": redact(reason)[:MAX_REASON]}


def _last_error_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line.removeprefix("E").strip() for line in lines if line.startswith("E ")]
    return (errors or lines or ["unknown error"])[-1]


def relative(path: Path, root: Path | None) -> str:
    if root is not None and path.is_absolute() and path.is_relative_to(root):
        return str(path.relative_to(root))
    return str(path)


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        from harness.plugin.isolation import early_failures  # lazily, as above

        watch = CollectionWatch(config.rootpath)
        for failure in early_failures(config):  # a conftest that failed before collection
            watch.add(failure)
        config.pluginmanager.register(watch, CollectionWatch.name)


def collection_watch(config: pytest.Config) -> CollectionWatch:
    watch = config.pluginmanager.get_plugin(CollectionWatch.name)
    return watch if isinstance(watch, CollectionWatch) else CollectionWatch()

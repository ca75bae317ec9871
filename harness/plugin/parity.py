"""The ``parity`` item: the target compared with its counterpart, when the profile names one.

``[targets.staging.parity] counterpart = "production"`` turns the item on: the suite reads
both environments (read-only) and every unaccepted difference is a finding. Without a
counterpart the item is n/a and its test is deselected rather than skipped, so a run's test
counts do not change with a feature it does not use; a checklist without the item (a
team's own) deselects it too, instead of calling it an unknown item.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.config.parity import Accepted, parity_spec
from harness.config.targets import Target, resolve_target
from harness.errors import ConfigError
from harness.report.checklist import Checklist

ITEM = "parity"
NO_COUNTERPART = (
    "no counterpart named: set [targets.{name}.parity] counterpart (e.g. \"production\") to "
    "compare this environment with another"
)

counterpart_key = pytest.StashKey[tuple[Target, tuple[Accepted, ...]]]()
_deselected_key = pytest.StashKey[set[str]]()


def configure_parity(
    config: pytest.Config, target: Target, checklist: Checklist, not_applicable: dict[str, str],
    targets_path: Path,
) -> None:  # fmt: skip
    """At configure time, so a counterpart that is not a profile is exit 4 before anything runs."""
    spec = parity_spec(target)
    if checklist.item(ITEM) is None:
        config.stash[_deselected_key] = {ITEM}
        return
    if spec.counterpart is None:
        not_applicable.setdefault(ITEM, NO_COUNTERPART.format(name=target.name))
        config.stash[_deselected_key] = {ITEM}
        return
    if spec.counterpart == target.name:
        raise ConfigError(
            f"targets.{target.name}.parity.counterpart names the target itself.",
            hint='name the other environment, e.g. counterpart = "production"',
        )
    config.stash[counterpart_key] = (resolve_target(spec.counterpart, targets_path), spec.ignore)


@pytest.hookimpl(tryfirst=True)  # before harness.plugin.checklist judges the items' ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselected_ids = config.stash.get(_deselected_key, set())
    if not deselected_ids:
        return
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        ids = {str(arg) for marker in item.iter_markers("checklist") for arg in marker.args}
        (drop if ids and ids <= deselected_ids else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def parity_counterpart(pytestconfig: pytest.Config) -> tuple[Target, tuple[Accepted, ...]]:
    """The counterpart profile and the accepted differences (``[parity] ignore``)."""
    found = pytestconfig.stash.get(counterpart_key, None)
    if found is None:  # only reached when a person runs the deselected test by its id
        pytest.skip("n/a: no counterpart named")
    return found

"""models-match's comparison starts with the test loop on a provisioned stack
(harness.plugin.prefetch), and what it finds still reaches models-match: a model column no
migration creates fails the item exactly as when the test ran the comparison itself."""

from __future__ import annotations

import pytest
from db_support import model_without_migration

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
PROBE = '''
import os

from harness.plugin.prefetch import prefetched_models


def pytest_runtest_setup(item):
    if item.name == "test_database_is_at_the_script_head":  # runs before models-match
        with open(os.environ["HV_PREFETCH_PROBE"], "w") as out:
            out.write(str(prefetched_models(item.config) is not None))
'''


def test_the_comparison_is_under_way_before_the_first_test_and_its_finding_fails_models_match(project):
    model_without_migration(project)
    project.add_hook(PROBE)
    probe = project.path / "probe.txt"
    result = project.run(SUITE, "-k", "script_head or models", env={"HV_PREFETCH_PROBE": str(probe)})
    assert probe.read_text() == "True", result.stdout.str()[-2000:]
    outcomes = project.outcomes_by_item()
    assert outcomes["migration-head"] == {"passed"}
    assert outcomes["models-match"] == {"failed"}
    message = next(t["message"] for t in project.results()["tests"] if "models-match" in t["checklist"])
    assert "credits" in message

"""models-match's comparison starts with the test loop on a provisioned stack
(harness.plugin.prefetch), and what it finds still reaches models-match: a model column no
migration creates fails the item exactly as when the test ran the comparison itself."""

from __future__ import annotations

import pytest
from db_support import APP_DIR

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
    folder = project.path / "models_copy"
    folder.mkdir()
    models = (APP_DIR / "reference_app" / "models.py").read_text()
    marker = "    email: Mapped[str] = mapped_column(String(255), nullable=False)\n"
    assert marker in models
    models = models.replace(marker, marker + "    credits: Mapped[int] = mapped_column(Integer, nullable=False)\n")
    (folder / "models_with_credits.py").write_text(models)
    project.set_targets({"targets": {"local": {"database": {
        "models": "models_with_credits:Base.metadata", "models_path": [str(folder)]}}}})  # fmt: skip
    project.add_hook(PROBE)
    probe = project.path / "probe.txt"
    result = project.run(SUITE, "-k", "script_head or models", env={"HV_PREFETCH_PROBE": str(probe)})
    assert probe.read_text() == "True", result.stdout.str()[-2000:]
    outcomes = project.outcomes_by_item()
    assert outcomes["migration-head"] == {"passed"}
    assert outcomes["models-match"] == {"failed"}
    message = next(t["message"] for t in project.results()["tests"] if "models-match" in t["checklist"])
    assert "credits" in message

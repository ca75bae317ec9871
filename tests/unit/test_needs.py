"""Which parts of the local stack a run needs, decided from the command line before collection:
the app server is left out only when every module named declares HARNESS_NEEDS_APP = False."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from harness.plugin.needs import app_needed, declares_no_app

REPO = Path(__file__).resolve().parents[2]
DATABASE = "harness/suites/test_database.py"


def config(*args: str, pyargs: bool = False) -> SimpleNamespace:
    return SimpleNamespace(
        args=list(args), invocation_params=SimpleNamespace(dir=REPO),
        getoption=lambda name, default=None: pyargs if name == "pyargs" else default,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "needed"),
    [
        ((DATABASE,), False),
        ((f"{DATABASE}::test_live_schema_has_what_the_models_expect",), False),
        (("suites/test_database.py",), False),  # the repository's link to the suites
        ((), True),  # nothing named: the default suites, routes and flows among them
        (("harness/suites",), True),
        (("harness/suites/test_health.py",), True),
        ((DATABASE, "harness/suites/test_routes.py"), True),
        (("harness/suites/no_such_file.py",), True),
    ],
)
def test_the_app_is_left_out_only_for_modules_that_say_they_need_none(args, needed):
    assert app_needed(config(*args)) is needed


def test_pyargs_names_are_not_files_so_the_app_starts():
    assert app_needed(config(DATABASE, pyargs=True)) is True


def test_the_declaration_must_be_a_top_level_false(tmp_path):
    cases = {
        "no.py": "x = 1\n",
        "true.py": "HARNESS_NEEDS_APP = True\n",
        "nested.py": "def f():\n    HARNESS_NEEDS_APP = False\n",
        "broken.py": "HARNESS_NEEDS_APP = False\ndef (:\n",
        "yes.py": "import pytest\nHARNESS_NEEDS_APP = False\n",
    }
    for name, body in cases.items():
        (tmp_path / name).write_text(body)
    assert [n for n in cases if declares_no_app(tmp_path / n)] == ["yes.py"]


def test_a_profile_waiting_for_its_deploy_starts_the_app(tmp_path):
    """The deploy wait asks the app which revision it serves, before any item is judged."""
    from harness.config.targets import resolve_target

    (tmp_path / "targets.toml").write_text(
        '[targets.t]\nkind = "local"\n[targets.t.app]\ndir = "."\n'
        '[targets.t.deploy]\nversion_path = "/h"\nversion_pointer = "/v"\nexpect = "abc123"\n'
    )
    target = resolve_target("t", tmp_path / "targets.toml")
    assert app_needed(config(DATABASE), target) is True
    assert app_needed(config(DATABASE), None) is False

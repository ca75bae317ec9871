"""Root conftest: only loads the harness plugin; all logic lives in harness/."""

pytest_plugins = ["harness.plugin"]

"""Root conftest: intentionally empty. The harness plugin is loaded by its ``pytest11`` entry
point (pyproject.toml), which `pip install -e ".[dev]"` registers; loading it here as well is
harmless (the entry point carries the module's name) but no longer needed."""

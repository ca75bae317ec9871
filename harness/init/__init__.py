"""`python -m harness init`: write targets.toml for an app by reading its source."""

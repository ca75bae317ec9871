"""Performance measurements of the harness. Not tests: nothing here asserts a time."""

"""The built-in verification suites, collected by the plugin when a target is given."""

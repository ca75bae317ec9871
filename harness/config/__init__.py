"""Profile and configuration models: targets.toml, its sections, URLs."""

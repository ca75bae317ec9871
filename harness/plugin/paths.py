"""Where a run's relative paths (targets.toml, waivers.toml, reports/, checklists/) live.

Not pytest's rootdir: pytest fixes it before the plugin's options are known, so in
``--report-dir DIR`` (space form) it takes DIR for a test path, then finds no ini file and picks
an ancestor of DIR as rootdir. The project is where the ini file is, else where pytest was
invoked; a value given
on the command line is relative to where pytest was invoked, as a shell user expects.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def project_dir(config: pytest.Config) -> Path:
    inipath = config.inipath
    return inipath.parent if inipath is not None else Path(config.invocation_params.dir)


def from_option(config: pytest.Config, value: str | Path) -> Path:
    """A path the user typed on the command line."""
    path = Path(value)
    return path if path.is_absolute() else Path(config.invocation_params.dir) / path


def from_project(config: pytest.Config, value: str | Path) -> Path:
    """A path from the ini file or a default: relative to the project."""
    path = Path(value)
    return path if path.is_absolute() else project_dir(config) / path


def option_or_ini(config: pytest.Config, option: str, ini: str, default: str | None = None) -> Path:
    typed = config.getoption(option, None)
    if typed:
        return from_option(config, typed)
    return from_project(config, config.getini(ini) or default or "")


def refuse_repeated_options(config: pytest.Config, *names: str) -> None:
    """``--target a --target b`` would silently run b: a person typed two, so ask which.
    Only the command line counts: an ini's addopts value is meant to be overridden."""
    args = [str(arg) for arg in config.invocation_params.args]
    for name in names:
        given = [a for a in args if a == name or a.startswith(name + "=")]
        if len(given) > 1:
            raise pytest.UsageError(
                f"{name} is given {len(given)} times on the command line ({', '.join(given)}); "
                f"a run verifies one target. Hint: keep one {name}, and run the others separately"
            )

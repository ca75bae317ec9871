"""init's static reading of the app's settings and models (called by ``detect``).

Sets on the findings: ``database_env`` and ``env`` (``harness.init.settings``), a TODO per
database URL hard-coded in the source (``harness.init.hardcoded``), the models' metadata and
its imports from env.py and the tenant schema (``harness.init.models_import``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from harness.init.hardcoded import fixed_ports, hard_coded_urls
from harness.init.models_import import (
    NO_MODELS,
    declares_no_metadata,
    metadata_from_env,
    tenant_schema,
)
from harness.init.settings import URL_NAME, read_settings

if TYPE_CHECKING:
    from harness.init.source import Findings


def read_app(found: Findings, env_py: Path | None) -> None:
    found.env_py = env_py
    settings = read_settings(found.app_dir)
    found.database_env = settings.database_env
    found.env = {**settings.env, **found.env}  # the framework's own (FLASK_APP) win
    found.todo += settings.todo
    url_names = [n for n in found.database_env if URL_NAME.match(n.upper())]
    for url in hard_coded_urls(found.app_dir):
        found.todo.append(url.todo(url_names[0] if url_names else None))
    found.todo += fixed_ports(found.app_dir)
    if env_py is not None and found.models is None:  # a Flask app's db.Model found already
        found.models, found.models_import = metadata_from_env(env_py, found.app_dir)
        if found.models is None and declares_no_metadata(env_py):
            found.no_models = NO_MODELS
    found.models_schema = tenant_schema(found.app_dir, env_py)

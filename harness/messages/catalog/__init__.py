"""The message catalog: ``id → (English, Japanese)``, one module per area.

Each module holds ``MESSAGES``; ids are prefixed by their area (``reconnect.pass``) so the
modules never collide (a test checks that, and that both languages have the same
placeholders). Terms of the Japanese: see the header of ``harness/report/messages/ja.py``.
"""

from __future__ import annotations

from harness.messages.catalog import (
    appconfig,
    commands,
    common,
    config,
    database,
    flow,
    flowconfig,
    init,
    migrations,
    parity,
    reachability,
    reconnect,
    reportfiles,
    roundtrip,
    routes,
    schema,
    stack,
    transport,
    wallet,
    witness,
)

_MODULES = (reportfiles, appconfig, commands, common, config, reconnect, reachability, transport, database, init, flow, wallet, schema, migrations, routes, stack, roundtrip, witness, flowconfig, parity)

MESSAGES: dict[str, tuple[str, str]] = {}
for _module in _MODULES:
    MESSAGES.update(_module.MESSAGES)

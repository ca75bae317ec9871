"""The wallet section of a profile, the write guard, tags and run-id ages (no stack needed)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.config.targets import resolve_target
from harness.errors import ConfigError
from harness.flow.api import Tagger
from harness.flow.config import WalletSpec, parse_wallet_spec, wallet_spec
from harness.flow.db import like_prefix, run_started
from harness.flow.run import writes_refusal
from harness.flow.wallet import check_cleanup

TOML = """
[targets.stage]
kind = "remote"
base_url = "https://s.example"
[targets.stage.wallet]
bounty = 3
poll_timeout_s = 1.5
refused_statuses = [409, 400]
[targets.stage.wallet.routes]
complete = "/v2/tasks/{task_id}/done"
[targets.stage.wallet.db]
ledger = "payments.ledger"

[targets.open]
kind = "remote"
base_url = "https://s.example"
allow_writes = true

[targets.prod]
kind = "remote"
base_url = "https://s.example"
production = true
"""


@pytest.fixture
def targets_file(tmp_path: Path) -> Path:
    path = tmp_path / "targets.toml"
    path.write_text(TOML)
    return path


def test_defaults_fit_the_reference_app():
    spec = parse_wallet_spec({}, "targets.x.wallet")
    assert spec == WalletSpec()
    assert spec.routes.complete == "/api/tasks/{task_id}/complete"
    assert spec.db.ledger == "wallet.ledger_entries" and spec.concurrency == 10


def test_profile_overrides_are_read(targets_file):
    spec = wallet_spec(resolve_target("stage", targets_file, environ={}))
    assert spec.bounty == 3 and spec.poll_timeout_s == 1.5
    assert spec.refused_statuses == (409, 400)
    assert spec.routes.complete == "/v2/tasks/{task_id}/done"
    assert spec.routes.accept == "/api/tasks/{task_id}/accept"  # untouched default
    assert spec.db.ledger == "payments.ledger"


@pytest.mark.parametrize(
    ("table", "names"),
    [
        ({"bountyy": 3}, "targets.x.wallet: unknown key 'bountyy'"),
        ({"bounty": 0}, "targets.x.wallet.bounty: expected an integer >= 1, got 0"),
        ({"bounty": True}, "targets.x.wallet.bounty: expected an integer"),
        ({"poll_timeout_s": "10"}, "targets.x.wallet.poll_timeout_s: expected a number"),
        ({"concurrency": 1}, "targets.x.wallet.concurrency: expected an integer >= 2"),
        ({"refused_statuses": [200]}, "targets.x.wallet.refused_statuses: expected a list of 4xx"),
        ({"routes": {"complet": "/x"}}, "targets.x.wallet.routes: unknown key 'complet'"),
        ({"fields": {"id": 1}}, "targets.x.wallet.fields.id: expected a string"),
        ({"db": {"users": "users; DROP TABLE x"}}, "targets.x.wallet.db.users: 'users; DROP TABLE x' is not a table name"),
        ({"db": "wallet"}, "targets.x.wallet.db: expected a table"),
    ],
)
def test_bad_wallet_section_names_the_key(table, names):
    with pytest.raises(ConfigError) as info:
        parse_wallet_spec(table, "targets.x.wallet")
    assert names in info.value.one_line()
    assert "Hint:" in info.value.one_line()


def test_writes_need_allow_writes_and_never_production(targets_file):
    def refusal(name):
        return writes_refusal(resolve_target(name, targets_file, environ={}))

    assert refusal("stage") == "n/a: writes not allowed for target stage (set allow_writes = true to run it)"
    assert refusal("open") is None
    assert refusal("prod").startswith("n/a: writes not allowed for target prod")
    assert "production" in refusal("prod")


def test_tags_carry_run_and_worker_and_never_repeat():
    gw0, gw1 = Tagger("r20261122t193012ab12", "gw0"), Tagger("r20261122t193012ab12", "gw1")
    assert [gw0.next(), gw0.next()] == ["hv-r20261122t193012ab12-gw0-1", "hv-r20261122t193012ab12-gw0-2"]
    assert gw1.next() == "hv-r20261122t193012ab12-gw1-1"
    # gw1's prefix must not match gw10's rows: the prefix ends with a dash.
    assert not "hv-r20261122t193012ab12-gw10-1".startswith(gw1.prefix)
    shared = Tagger.for_worker("r20261122t193012ab12", "gw7")
    assert Tagger.for_worker("r20261122t193012ab12", "gw7") is shared


def test_run_id_gives_the_run_start():
    assert run_started("r20261122t193012ab12") == datetime(2026, 11, 22, 19, 30, 12, tzinfo=UTC)
    assert run_started("rubbish") is None


def test_like_prefix_escapes_wildcards():
    assert like_prefix("hv-r1-main_x-") == "hv-r1-main\\_x-%"
    assert like_prefix("50%") == "50\\%%"


def test_cleanup_result_names_what_changed():
    before = {"users": 3, "balance_sum": 100, "own_tagged_rows": 0}
    same = check_cleanup(before, dict(before), {"users": 1})
    assert same.ok and same.evidence["fingerprint_after"] == before
    changed = check_cleanup(before, {**before, "balance_sum": 93, "own_tagged_rows": 2}, {})
    assert not changed.ok
    assert "balance_sum, own_tagged_rows" in changed.summary
    assert changed.evidence["fingerprint_before"] == before and changed.remediation


def test_janitor_sweeps_the_tables_the_profile_maps(monkeypatch, tmp_path):
    """The wallet sweeper is handed the target, so an app with other table names is swept
    where its rows really are, not in the reference app's tables."""
    from harness.config.targets import resolve_target
    from harness.flow import db as wallet_db
    from harness.flow import wallet

    (tmp_path / "targets.toml").write_text(
        '[targets.s]\nbase_url = "https://s.example"\n'
        '[targets.s.wallet.db]\nusers = "accounts"\nwallets = "billing.purses"\n'
    )
    target = resolve_target("s", tmp_path / "targets.toml", environ={})
    seen = []
    monkeypatch.setattr(wallet_db, "sweep", lambda engine, ttl, tables, now, dead=None: seen.append(tables) or [])
    wallet.sweep_tagged_rows(None, 0.0, target)  # type: ignore[arg-type]
    wallet.sweep_tagged_rows(None, 0.0, None)  # type: ignore[arg-type]
    assert (seen[0].users, seen[0].wallets) == ("accounts", "billing.purses")
    assert (seen[1].users, seen[1].wallets) == ("users", "wallet.wallets")

"""The Alembic fault list, planted on every example app it applies to (the list a
pytest-alembic comparison counts: see docs/migrations.md).

Each app is copied into the test's folder (without its venv) and its profile pointed at the
copy. Faults in the models or in a migration the database was built with are planted before
the run; faults in the scripts a deploy would ship (a second head, a broken or incomplete
downgrade, a revision that fails on an empty database) are planted by
``pytest_harness_stack_ready``, after the stack migrated the healthy copy, as a repository
edited since the database was migrated. Only the database suite runs (no app server), and
each run must fail exactly its items, naming the model object or the revision.

Several model faults share one run (models-match names each of them) with the second head
(migration-head): four runs per app. The round trip stops at its first failure, so its three
faults each need a run of their own.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field

import pytest
from db_support import APP_DIR, migrate, sql, standalone_pg  # noqa: F401  (fixture)
from support import REPO, example_venv

pytestmark = pytest.mark.stack

SUITE = "suites/test_database.py"
Edit = tuple[str, str, str]  # (file under the app's folder, old text, new text); old "" = new file
EMPTY_DB_FAILURE = 'op.execute("ALTER TABLE legacy_accounts ADD COLUMN note text")'
BRANCH = '''"""a second head, branching off {down}"""
revision = "{rev}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
'''


@dataclass(frozen=True)
class Fault:
    before: tuple[Edit, ...] = ()  # planted before the stack starts
    after: tuple[Edit, ...] = ()  # planted once it has migrated (the scripts a deploy ships)
    expected: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item -> words
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)  # item -> words it must not say


@dataclass(frozen=True)
class App:
    folder: str
    target: str
    ini: str
    venv: bool
    faults: dict[str, Fault]


def branch(path: str, rev: str, down: str) -> Edit:
    return (path, "", BRANCH.format(rev=rev, down=down))


def fails_on_empty(path: str, signature: str, revision: str, *also: str) -> Fault:
    return Fault(after=((path, signature, f"{signature}    {EMPTY_DB_FAILURE}\n"),), expected={
        "migration-roundtrip": (f"revision {revision} fails (upgrade) on an empty database: UndefinedTable",
                                'relation "legacy_accounts" does not exist', *also)})  # fmt: skip


LEDGER_MODELS = "ledger_app/models.py"
LEDGER_0002 = "migrations/versions/0002_created_at_and_nonce_index.py"
LEDGER = App("ledger_app", "ledger", "alembic.ini", True, {
    # No foreign key fault: the ledger has one table, nothing to refer to.
    "models_and_two_heads": Fault(
        before=(
            (LEDGER_MODELS, "operation: Mapped[str] = mapped_column(Text, nullable=False)",
             "operation: Mapped[str] = mapped_column(Text, nullable=False, index=True)"),
            (LEDGER_MODELS, "owner_id: Mapped[str] = mapped_column(Text, nullable=False,",
             "owner_id: Mapped[str] = mapped_column(Text, nullable=True,"),
            (LEDGER_MODELS, "amount: Mapped[int] = mapped_column(Integer,", "amount: Mapped[int] = mapped_column(BigInteger,"),
            (LEDGER_MODELS, "server_default=func.now()", "server_default=text(\"now() - interval '1 day'\")"),
            (LEDGER_MODELS, "Integer, Text, func\n", "Integer, Text, func, text\n"),
        ),
        after=(branch("migrations/versions/0003_branch.py", "0003", "0001"),),
        expected={
            "models-match": (
                "ledger_entries index ix_ledger_entries_operation (operation): index the models define is missing",
                "op.create_index(op.f('ix_ledger_entries_operation'), 'ledger_entries', ['operation'], unique=False)",
                "ledger_entries.owner_id: nullability differs: the models say NULL, the database has NOT NULL",
                "ledger_entries.amount: type differs: the models say bigint, the database has integer",
                "ledger_entries.created_at: server default differs: the models say now() - interval '1 day'"),
            "migration-head": ("2 heads (0002, 0003)",)}),
    "broken_downgrade": Fault(
        after=((LEDGER_0002, 'op.drop_index("ix_ledger_entries_nonce",', 'op.drop_index("ix_ledger_entries_nonce_typo",'),),
        expected={"migration-roundtrip": (
            "revision 0002 fails (downgrade to 0001) on an empty database: UndefinedObject",
            'index "ix_ledger_entries_nonce_typo" does not exist', "statement: DROP INDEX ix_ledger_entries_nonce_typo")}),
    "downgrade_not_reversing": Fault(
        after=((LEDGER_0002, '    op.drop_index("ix_ledger_entries_nonce", table_name="ledger_entries")\n', ""),),
        expected={"migration-roundtrip": (
            "the downgrade of revision 0002 does not undo its upgrade",
            "ledger_entries index ix_ledger_entries_nonce: left behind by the downgrade")}),
    "fails_on_empty_database": fails_on_empty("migrations/versions/0001_ledger_entries.py", "def upgrade() -> None:\n", "0001"),
})  # fmt: skip

REF_MODELS = "reference_app/models.py"
REFERENCE = App("reference_app", "local", "alembic.ini", False, {
    "models_and_two_heads": Fault(
        before=(
            (REF_MODELS, "title: Mapped[str] = mapped_column(String(200), nullable=False)",
             "title: Mapped[str] = mapped_column(String(200), nullable=False, index=True)"),
            (REF_MODELS, "bounty: Mapped[int] = mapped_column(Integer, nullable=False)",
             "bounty: Mapped[int] = mapped_column(Integer, nullable=True)"),
            (REF_MODELS, "server_default=text(\"'user'\")", "server_default=text(\"'system'\")"),
            (REF_MODELS, "task_id: Mapped[int | None] = mapped_column(Integer, nullable=True)",
             "task_id: Mapped[int | None] = mapped_column(Integer, ForeignKey(\"tasks.id\"), nullable=True)"),
            (REF_MODELS, "email: Mapped[str] = mapped_column(String(255), nullable=False)",
             "email: Mapped[str] = mapped_column(String(320), nullable=False)"),
        ),
        after=(branch("alembic/versions/0006_branch.py", "0006", "0004"),),
        expected={
            "models-match": (
                "tasks index ix_tasks_title (title): index the models define is missing",
                "op.create_index(op.f('ix_tasks_title'), 'tasks', ['title'], unique=False)",
                "tasks.bounty: nullability differs: the models say NULL, the database has NOT NULL",
                "wallet.wallets.kind: server default differs: the models say 'system'",
                "wallet.ledger_entries foreign key (task_id) -> tasks.id: foreign key the models define is missing",
                "users.email: type differs: the models say character varying(320), the database has character varying(255)"),
            "migration-head": ("2 heads (0005, 0006)",)}),
    "broken_downgrade": Fault(
        after=(("alembic/versions/0002_users_and_tasks.py", 'op.drop_index("ix_tasks_status",', 'op.drop_index("ix_tasks_status_typo",'),),
        expected={"migration-roundtrip": (
            "revision 0002 fails (downgrade to 0001) on an empty database: UndefinedObject",
            'index "ix_tasks_status_typo" does not exist')}),
    "downgrade_not_reversing": Fault(
        after=(("alembic/versions/0004_task_assignment.py", '    op.drop_column("tasks", "accepted_at")\n', ""),),
        expected={"migration-roundtrip": (
            "the downgrade of revision 0004 does not undo its upgrade",
            "column tasks.accepted_at: left behind by the downgrade")}),
    "fails_on_empty_database": fails_on_empty("alembic/versions/0001_enable_pgvector.py", "def upgrade() -> None:\n", "0001"),
})  # fmt: skip

TEMPLATE_ITEM = "app/models/item.py"
TEMPLATE_VERSIONS = "app/alembic/versions"
TEMPLATE = App("template_app", "template", "alembic.ini", True, {
    "models_and_two_heads": Fault(
        before=(
            (TEMPLATE_ITEM, "    title: str = Field(min_length=1, max_length=255)\n",
             "    title: str = Field(min_length=1, max_length=255, index=True)\n"),
            (TEMPLATE_ITEM, "    description: str | None = Field(default=None, max_length=255)\n",
             "    description: str | None = Field(default=None, max_length=500, nullable=False)\n"),
            (f"{TEMPLATE_VERSIONS}/3f1c9a2b7d10_initialize_models.py",
             '        sa.ForeignKeyConstraint(["owner_id"], ["user.id"], ondelete="CASCADE"),\n', ""),
            # env.py does not ask autogenerate to compare server defaults: this one must not count.
            ("app/models/common.py", 'text("uuid_generate_v4()")', 'text("gen_random_uuid()")'),
        ),
        after=(branch(f"{TEMPLATE_VERSIONS}/f00dbeef0001_branch.py", "f00dbeef0001", "8b2e4d6f0a13"),),
        expected={
            "models-match": (
                "item index ix_item_title (title): index the models define is missing",
                "op.create_index(op.f('ix_item_title'), 'item', ['title'], unique=False)",
                "item.description: nullability differs: the models say NOT NULL, the database has NULL",
                "item.description: type differs: the models say character varying(500), the database has character varying(255)",
                "item foreign key (owner_id) -> user.id: foreign key the models define is missing"),
            "migration-head": ("2 heads (c4d7e9a1f256, f00dbeef0001)",)},
        absent={"models-match": ("server default differs",)}),
    "broken_downgrade": Fault(
        after=((f"{TEMPLATE_VERSIONS}/c4d7e9a1f256_index_item_owner_id.py",
                'op.drop_index(op.f("ix_item_owner_id"),', 'op.drop_index(op.f("ix_item_owner_id_typo"),'),),
        expected={"migration-roundtrip": (
            "revision c4d7e9a1f256 fails (downgrade to 8b2e4d6f0a13) on an empty database: UndefinedObject",
            'index "ix_item_owner_id_typo" does not exist')}),
    "downgrade_not_reversing": Fault(
        after=((f"{TEMPLATE_VERSIONS}/8b2e4d6f0a13_add_created_at_to_user_and_item.py",
                '    op.drop_column("item", "created_at")\n', ""),),
        expected={"migration-roundtrip": (
            "the downgrade of revision 8b2e4d6f0a13 does not undo its upgrade",
            "column item.created_at: left behind by the downgrade")}),
    "fails_on_empty_database": fails_on_empty(
        f"{TEMPLATE_VERSIONS}/3f1c9a2b7d10_initialize_models.py", "def upgrade() -> None:\n", "3f1c9a2b7d10"),
})  # fmt: skip

FLASK_MODELS = "flask_app/models.py"
FLASK_0003 = "migrations/versions/0003_wallets_and_ledger.py"
FLASK = App("flask_app", "flask_local", "migrations/alembic.ini", True, {
    "models_and_two_heads": Fault(
        before=(
            (FLASK_MODELS, "title: Mapped[str] = mapped_column(Text, nullable=False)",
             "title: Mapped[str] = mapped_column(Text, nullable=False, index=True)"),
            (FLASK_MODELS, "bounty: Mapped[int] = mapped_column(Integer, nullable=False)",
             "bounty: Mapped[int] = mapped_column(Integer, nullable=True)"),
            (FLASK_MODELS, "mapped_column(String(100), nullable=False, unique=True)",
             "mapped_column(String(150), nullable=False, unique=True)"),
            (FLASK_0003, 'sa.Column("task_id", sa.Integer(), sa.ForeignKey("tasks.id"), nullable=True)',
             'sa.Column("task_id", sa.Integer(), nullable=True)'),
            # Flask-Migrate does not ask autogenerate to compare server defaults: must not count.
            (FLASK_MODELS, 'server_default="0"', 'server_default="1"'),
        ),
        after=(branch("migrations/versions/0004_branch.py", "0004", "0002"),),
        expected={
            "models-match": (
                "tasks index ix_tasks_title (title): index the models define is missing",
                "op.create_index(op.f('ix_tasks_title'), 'tasks', ['title'], unique=False)",
                "tasks.bounty: nullability differs: the models say NULL, the database has NOT NULL",
                "users.name: type differs: the models say character varying(150), the database has character varying(100)",
                "ledger foreign key (task_id) -> tasks.id: foreign key the models define is missing"),
            "migration-head": ("2 heads (0003, 0004)",)},
        absent={"models-match": ("server default differs",)}),
    "broken_downgrade": Fault(
        after=((FLASK_0003, 'op.drop_index("ix_ledger_wallet_id",', 'op.drop_index("ix_ledger_wallet_id_typo",'),),
        expected={"migration-roundtrip": (
            "revision 0003 fails (downgrade to 0002) on an empty database: UndefinedObject",
            'index "ix_ledger_wallet_id_typo" does not exist')}),
    "downgrade_not_reversing": Fault(  # the upgrade gained a column its downgrade forgets
        after=((FLASK_0003, '    op.create_index("ix_ledger_wallet_id", "ledger", ["wallet_id"])\n',
                ('    op.create_index("ix_ledger_wallet_id", "ledger", ["wallet_id"])\n'
                 '    op.add_column("tasks", sa.Column("reward_note", sa.Text(), nullable=True))\n')),),
        expected={"migration-roundtrip": (
            "the downgrade of revision 0003 does not undo its upgrade",
            "column tasks.reward_note: left behind by the downgrade")}),
    "fails_on_empty_database": fails_on_empty("migrations/versions/0001_enable_vector.py", "def upgrade():\n", "0001"),
})  # fmt: skip

FAULTS = ("models_and_two_heads", "broken_downgrade", "downgrade_not_reversing", "fails_on_empty_database")


def apply(folder, edits: tuple[Edit, ...]) -> None:
    for name, old, new in edits:
        path = folder / name
        if not old:
            path.write_text(new)
            continue
        text = path.read_text()
        assert old in text, f"{name}: {old!r} not found (the example app changed?)"
        path.write_text(text.replace(old, new, 1))


def plant_after_migrations(edits: list[Edit]) -> str:
    """A conftest hook that edits the copy once the stack has migrated it."""
    return f"""
from pathlib import Path
def pytest_harness_stack_ready(config, target, addresses):
    for path, old, new in {edits!r}:
        path = Path(path)
        path.write_text(new if not old else path.read_text().replace(old, new, 1))
"""


def json_text(project, item: str) -> str:
    checks = [c for t in project.results()["tests"] if item in t["checklist"] for c in t["checks"]]
    return json.dumps(checks, ensure_ascii=False)


def says(text: str, words: str) -> bool:
    return json.dumps(words, ensure_ascii=False)[1:-1] in text


class FaultList:
    APP: App

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def venv(cls) -> None:
        if cls.APP.venv:  # the app's own venv (idempotent: a second run only checks)
            example_venv(cls.APP.folder)  # fmt: skip

    @pytest.mark.parametrize("name", FAULTS)
    def test_fault_fails_exactly_its_items_naming_it(self, project, name):
        app, fault = self.APP, self.APP.faults[name]
        copy = project.path / f"{app.folder}_copy"
        shutil.copytree(REPO / "examples" / app.folder, copy, ignore=shutil.ignore_patterns(".venv", "__pycache__"))
        apply(copy, fault.before)
        for name_, old, _ in fault.after:  # each edit must still apply once the stack is up
            assert not old or old in (copy / name_).read_text(), (name_, old)
        project.add_hook(plant_after_migrations([(str(copy / n), o, w) for n, o, w in fault.after]))
        project.set_targets({"targets": {app.target: {
            "alembic_ini": str(copy / app.ini), "app": {"dir": str(copy)}}}})  # fmt: skip
        result = project.run(SUITE, f"--target={app.target}")
        failed = {i for i, o in project.outcomes_by_item().items() if o & {"failed", "error"}}
        assert failed == set(fault.expected), result.stdout.str()[-3000:]
        for item, words in fault.expected.items():
            text = json_text(project, item)
            for word in words:
                assert says(text, word), f"{item}: {word!r} not in {text[:3000]}"
        for item, words in fault.absent.items():
            assert not any(says(json_text(project, item), word) for word in words), item
        assert "starting the app under" not in result.stdout.str()


class TestReferenceApp(FaultList):
    APP = REFERENCE


class TestLedgerApp(FaultList):
    APP = LEDGER


class TestTemplateApp(FaultList):
    APP = TEMPLATE


class TestFlaskApp(FaultList):
    APP = FLASK


class TestRemoteTarget:
    """A deployed database one revision behind: the round trip steps the pending revision on
    a copy of it (the live database itself is only read), as the rehearsal does."""

    @staticmethod
    def behind(server, name: str) -> str:
        sql(server.url(), f"CREATE DATABASE {name}")
        url = server.url(name)
        migrate(url, "upgrade", "0004")
        return url

    @staticmethod
    def run_remote(project, url: str, ini: str):
        project.set_targets({"targets": {"deployed": {
            "kind": "remote", "base_url": "http://127.0.0.1:9", "database_url": url, "alembic_ini": ini,
            "health": {"wait_timeout_s": 0.5}, "database": {"models": "reference_app.models:Base.metadata"}}}})  # fmt: skip
        return project.run(SUITE, "--target=deployed")

    def test_the_pending_revision_round_trips_on_a_copy(self, project, standalone_pg):  # noqa: F811
        url = self.behind(standalone_pg, "behind_ok")
        self.run_remote(project, url, str(APP_DIR / "alembic.ini"))
        failed = {i for i, o in project.outcomes_by_item().items() if o & {"failed", "error"}}
        assert failed == {"migration-head", "models-match"}  # behind: the models have 0005's column
        text = json_text(project, "migration-roundtrip")
        assert says(text, "1 revision(s) (0005 to 0005) stepped up, down to 0004 and up again on a copy of the live data")
        assert '"copy_method"' in text
        assert sql(url, "SELECT version_num FROM alembic_version") == [("0004",)]  # only the copy moved

    def test_a_broken_downgrade_of_the_pending_revision_fails_on_the_copy(self, project, standalone_pg):  # noqa: F811
        url = self.behind(standalone_pg, "behind_broken")
        copy = project.path / "reference_copy"
        shutil.copytree(APP_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
        apply(copy, (("alembic/versions/0005_task_embedding.py", 'op.drop_index("ix_tasks_embedding_hnsw",',
                      'op.drop_index("ix_tasks_embedding_hnsw_typo",'),))  # fmt: skip
        self.run_remote(project, url, str(copy / "alembic.ini"))
        failed = {i for i, o in project.outcomes_by_item().items() if o & {"failed", "error"}}
        # The rehearsal's own round trip meets the same downgrade on its copy.
        assert failed == {"migration-head", "models-match", "migration-rehearsal", "migration-roundtrip"}
        text = json_text(project, "migration-roundtrip")
        assert says(text, "revision 0005 fails (downgrade to 0004) on a copy of the live data: UndefinedObject")
        assert sql(url, "SELECT version_num FROM alembic_version") == [("0004",)]

"""Alembic migrations (up from empty, down to base, up again), models vs schema, database URLs."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from stepfree.errors import BadData, BadInput
from stepfree.reports import ReportIn, ReportStore
from stepfree.reports.database import (
    MIGRATIONS,
    create_store_engine,
    current_revision,
    database_url,
    downgrade_database,
    redacted,
    upgrade_database,
)
from stepfree.reports.tables import Base

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
TABLES = {"api_keys", "audit_log", "confirmations", "rate_buckets", "reports", "revision"}


def _tables(store: ReportStore) -> set[str]:
    return set(inspect(store.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_downgrade_to_base_and_up_again(empty_db_url: str) -> None:
    engine = create_store_engine(database_url(empty_db_url))
    try:
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) == set()
        upgrade_database(engine)
        assert current_revision(engine) == "0002"
        assert set(inspect(engine).get_table_names()) - {"alembic_version"} == TABLES
        upgrade_database(engine)  # at head already: nothing to do, no error
        downgrade_database(engine, "base")
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    finally:
        engine.dispose()
    with ReportStore.open(empty_db_url) as store:  # open upgrades again
        assert _tables(store) == TABLES
        assert store.version() == "r0"
        report = store.create(ReportIn(type="steps", lat=60.0, lon=25.0), None, "c", NOW)
        assert store.get(report.id) == report


def test_new_revisions_render_from_the_template(tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy)
    config = Config()
    config.set_main_option("script_location", str(copy))
    script = command.revision(config, message="add a column", rev_id="0003")
    assert script is not None
    assert not isinstance(script, list)
    source = Path(script.path).read_text()
    compile(source, script.path, "exec")
    assert "down_revision: str | None = '0002'" in source


def test_models_match_the_migrated_schema(db_url: str) -> None:
    with ReportStore.open(db_url) as store, store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_reopening_keeps_reports(db_url: str) -> None:
    with ReportStore.open(db_url) as store:
        report = store.create(ReportIn(type="steps", osm_way_id=7), None, "c", NOW)
        version = store.version()
    with ReportStore.open(db_url) as store:
        assert store.get(report.id) == report
        assert store.version() == version


def test_a_schema_from_a_newer_stepfree_is_refused(empty_db_url: str) -> None:
    with ReportStore.open(empty_db_url) as store, store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(BadData, match="has a schema this stepfree does not know"):
        ReportStore.open(empty_db_url)


def test_sqlite_connections_use_wal_and_full_sync(tmp_path: Path) -> None:
    with ReportStore.open(str(tmp_path / "r.db")) as store, store.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
        assert pragma("PRAGMA busy_timeout").scalar() >= 5000
        assert pragma("PRAGMA foreign_keys").scalar() == 1


def test_plain_path_is_a_sqlite_file_and_folders_are_made(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "reports.db"
    with ReportStore.open(str(path)) as store:
        store.create(ReportIn(type="other", lat=1.0, lon=2.0), None, "c", NOW)
    assert path.is_file()


def test_postgres_urls_use_psycopg3() -> None:
    for given in ("postgresql://u:p@h/db", "postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"):
        assert database_url(given).drivername == "postgresql+psycopg"
    assert database_url("postgresql://u:secret@h:5433/db").port == 5433
    assert "secret" not in redacted(database_url("postgresql://u:secret@h/db"))


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("sqlite://", "in-memory"),
        ("sqlite:///:memory:", "in-memory"),
        ("", "empty"),
        ("://nothing", "cannot read the database URL"),
    ],
)
def test_unusable_urls_are_refused(url: str, words: str) -> None:
    with pytest.raises(BadInput, match=words):
        ReportStore.open(url)


def test_unreachable_server_is_one_clear_line() -> None:
    # port 9 (discard) on loopback: nothing listens, the connection is refused at once
    with pytest.raises(BadInput, match=r"cannot open the database postgresql\+psycopg://u:\*\*\*"):
        ReportStore.open("postgresql://u:secret@127.0.0.1:9/db")


def test_unusable_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "not-a-database.db"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises((BadInput, BadData), match=r"not-a-database\.db"):
        ReportStore.open(str(path))


def test_confirmations_needed_is_checked(tmp_path: Path) -> None:
    for needed in (0, -1, True):
        with pytest.raises(BadInput, match=r"confirmations_needed must be 1\.\.1000"):
            ReportStore.open(str(tmp_path / "r.db"), confirmations_needed=needed)

"""Report store fixtures: every store test runs on a SQLite file and on PostgreSQL.

The PostgreSQL variant needs ``STEPFREE_TEST_POSTGRES_URL`` (``make test`` starts the server
with ``.ci/postgres.sh`` and sets it); without it that variant is skipped, saying so.

Every test starts from an empty, migrated database. To keep that fast the schema is migrated
once per session: SQLite tests get a copy of a migrated file, PostgreSQL tests share one schema
of their own (``search_path``) whose tables are emptied before each test. Tests of the
migrations themselves use ``empty_db_url``: a new file, or a new schema dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text

from stepfree.reports import ReportStore
from stepfree.reports.database import database_url

POSTGRES_ENV = "STEPFREE_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
EMPTY_TABLES = """
DELETE FROM audit_log; DELETE FROM rate_buckets;
DELETE FROM confirmations; DELETE FROM reports; DELETE FROM api_keys;
UPDATE revision SET value = 0;
ALTER SEQUENCE reports_id_seq RESTART; ALTER SEQUENCE api_keys_id_seq RESTART;
ALTER SEQUENCE audit_log_id_seq RESTART;
"""


def postgres_base() -> str:
    """The test server's URL, or skip the test saying how to start it."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is unset: start PostgreSQL with `bash .ci/postgres.sh`")
    return base


class PostgresSchemas:
    """Creates schemas on the test server and drops them at the end."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.admin: Engine = create_engine(database_url(base))
        self.created: list[str] = []

    def new(self) -> tuple[str, str]:
        """A new empty schema and a URL whose connections use it."""
        schema = f"t_{uuid.uuid4().hex[:16]}"
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.created.append(schema)
        # synchronous_commit=off: these tests check behaviour, not the server's fsync (which
        # costs ~10 ms per commit here); PostgreSQL's durability is its own, well tested.
        options = quote(f"-csearch_path={schema} -csynchronous_commit=off")
        separator = "&" if "?" in self.base else "?"
        return schema, f"{self.base}{separator}options={options}"

    def drop(self, schema: str) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.created.remove(schema)

    def close(self) -> None:
        for schema in list(self.created):
            self.drop(schema)
        self.admin.dispose()


@pytest.fixture(scope="session")
def _schemas() -> Iterator[PostgresSchemas]:
    schemas = PostgresSchemas(postgres_base())
    yield schemas
    schemas.close()


@pytest.fixture(scope="session")
def _postgres_migrated(_schemas: PostgresSchemas) -> tuple[str, str]:
    schema, url = _schemas.new()
    ReportStore.open(url).close()
    return schema, url


@pytest.fixture(scope="session")
def _sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "reports.db"
    ReportStore.open(str(path)).close()  # closing checkpoints the WAL into the file
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database at the newest schema: a SQLite file, or an emptied PostgreSQL schema."""
    if request.param == "sqlite":
        path = tmp_path / "reports.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_migrated"), path)
        return f"sqlite:///{path}"
    schemas: PostgresSchemas = request.getfixturevalue("_schemas")
    schema, url = request.getfixturevalue("_postgres_migrated")
    with schemas.admin.begin() as connection:
        connection.execute(text(f'SET LOCAL search_path = "{schema}"'))
        connection.execute(text(EMPTY_TABLES))
    return url


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all: a new SQLite file or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'reports.db'}"
        return
    schemas: PostgresSchemas = request.getfixturevalue("_schemas")
    schema, url = schemas.new()
    yield url
    schemas.drop(schema)


@pytest.fixture
def store(db_url: str) -> Iterator[ReportStore]:
    """An open store on an empty database, needing 3 confirmations."""
    with ReportStore.open(db_url, confirmations_needed=3) as opened:
        yield opened

"""Engines and migrations for the report store: SQLite (embedded) or PostgreSQL.

SQLite runs in WAL mode with ``synchronous=FULL``: a commit is on disk (fsynced to the WAL)
before ``create`` returns, so an acknowledged report survives a crash or power loss, and readers
never block the one writer. Several processes (uvicorn workers) may share the file: each builds
one engine, write transactions start with ``BEGIN IMMEDIATE`` (take the write lock at once, so
a transaction never fails half-way on a lock upgrade) and wait up to ``BUSY_TIMEOUT_MS`` for it.
Writers first queue on ``WriteLock`` (a thread lock, then ``flock`` on a ``-lock`` file beside
the database): SQLite's own busy handler polls with sleeps of up to 100 ms, which under many
concurrent writers costs tens of ms per write and starves unlucky ones; a lock handed over at
once does not. The kernel drops the ``flock`` of a killed process.

PostgreSQL goes through psycopg 3. Alembic is configured in code (no alembic.ini); migrations
run inside one transaction, serialised across processes (SQLite's write lock, PostgreSQL's
advisory lock), so workers starting together upgrade the schema once.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from stepfree.errors import BadData, BadInput

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # a module or None: callers test for None

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 15_000  # how long a SQLite writer waits for the lock (ms), > any write here
PG_CONNECT_TIMEOUT_S = 10  # how long to wait for a PostgreSQL server to answer (s)
#: Key of the PostgreSQL advisory lock held while migrating (any constant unique to stepfree).
MIGRATION_LOCK = 0x73746570  # "step"
POOL = {"pool_size": 8, "max_overflow": 32, "pool_timeout": 30}  # per process
COUNTERS_POOL = {"pool_size": 2, "max_overflow": 6, "pool_timeout": 5}  # rate-limit counters
SQLITE_BEGIN = "stepfree_sqlite_begin"  # execution option: how a transaction begins on SQLite


def database_url(url: str) -> URL:
    """Parse a database URL; a plain path means a SQLite file.

    ``postgresql://`` and ``postgres://`` are rewritten to the psycopg 3 driver.

    Raises
    ------
    BadInput
        For a malformed URL, an unsupported database or an in-memory SQLite database.
    """
    if "://" not in url:
        if not url.strip():
            raise BadInput("the database is empty; give a URL or a SQLite file path")
        return URL.create("sqlite+pysqlite", database=str(Path(url).expanduser()))
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(
            f"cannot read the database URL {url!r}; give e.g. sqlite:///reports.db "
            "or postgresql://user:password@host/dbname"
        ) from None
    driver = parsed.drivername
    if driver in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if driver in ("sqlite", "sqlite+pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise BadInput(
                "an in-memory SQLite database would lose every report; "
                "give a file, e.g. sqlite:///reports.db"
            )
        return parsed.set(drivername="sqlite+pysqlite")
    raise BadInput(
        f"unsupported database {driver!r}; use sqlite:///FILE or postgresql://USER@HOST/DB"
    )


def redacted(url: URL) -> str:
    """The URL without its password, for messages and logs."""
    return url.render_as_string(hide_password=True)


def create_store_engine(url: URL, durable: bool = True) -> Engine:
    """One engine for this process, with SQLite's durability and locking set on each connection.

    ``durable=False`` is for data a crash may lose (the shared rate-limit counters): SQLite
    commits without an fsync (``synchronous=NORMAL`` in WAL mode: a commit survives a crash of
    the process, not a power cut; the next durable commit syncs the WAL anyway), from a small
    pool of its own.
    """
    pool = POOL if durable else COUNTERS_POOL
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise BadInput(f"cannot create the folder for {path}: {error.strerror}") from None
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, **pool)
        event.listen(engine, "connect", _sqlite_connect if durable else _sqlite_connect_fast)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        # a ping per checkout is one more round trip; the counters do without it (a dropped
        # connection fails one lease, which the API survives, and is replaced)
        pool_pre_ping=durable,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "stepfree"},
        **pool,
    )
    if not durable:
        event.listen(engine, "connect", _postgres_connect_fast)
    return engine


def _postgres_connect_fast(dbapi_connection: Any, _record: Any) -> None:
    # commits need not wait for the WAL flush (a crash may lose the last ones: counters only)
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    dbapi_connection.commit()


class WriteLock:
    """Serialise SQLite writers: threads by a lock, processes by ``flock`` on a side file.

    Without ``fcntl`` (not POSIX) only threads are serialised and SQLite's busy handler does
    the rest. For PostgreSQL ``path`` is None and the lock does nothing (rows are locked).
    """

    def __init__(self, path: Path | None) -> None:
        self._sqlite = path is not None
        self._path = Path(f"{path}-lock") if path is not None and fcntl is not None else None
        self._thread = threading.Lock()
        self._fd: int | None = None
        self._pid = os.getpid()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        if not self._sqlite:
            yield
            return
        if self._pid != os.getpid():  # forked: the copied lock and descriptor are the parent's
            self._thread, self._fd, self._pid = threading.Lock(), None, os.getpid()
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        if not self._thread.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
            yield  # let SQLite's busy timeout decide
            return
        fd = None
        try:
            if self._path is not None:
                if self._fd is None:
                    self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
                fd = self._fd if _flock(self._fd, deadline) else None
            yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._thread.release()

    def close(self) -> None:
        """Close the lock file (the lock is taken again on the next write)."""
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


def write_lock_for(engine: Engine) -> WriteLock:
    """The write lock of the engine's database (a no-op one for PostgreSQL)."""
    sqlite = engine.url.get_backend_name() == "sqlite"
    return WriteLock(Path(str(engine.url.database)) if sqlite else None)


def _flock(fd: int, deadline: float) -> bool:
    """Take the exclusive lock, polling every millisecond until the deadline."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False  # SQLite's busy timeout then reports the lock
            time.sleep(0.001)


def _sqlite_connect(dbapi_connection: Any, _record: Any, synchronous: str = "FULL") -> None:
    # The driver must not open transactions on its own: ``_sqlite_begin`` does, explicitly.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first: switching to WAL needs a lock another process may hold.
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise BadInput(
                f"SQLite could not use WAL (journal mode stays {mode!r}); "
                "put the database on a local disk"
            )
        cursor.execute(f"PRAGMA synchronous = {synchronous}")  # FULL: fsync every commit
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _sqlite_connect_fast(dbapi_connection: Any, record: Any) -> None:
    _sqlite_connect(dbapi_connection, record, synchronous="NORMAL")


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, beginning its transactions with SQLite's write lock taken at once."""
    return engine.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})


def check_connection(engine: Engine, url: URL) -> None:
    """Connect once, turning an unreachable server or unusable file into one clear line."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        raise BadInput(f"cannot open the database {redacted(url)}: {_first_line(error)}") from None


def _first_line(error: Exception) -> str:
    """The driver's own message, first line only (no SQL, no parameters)."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__


def _config() -> Config:
    config = Config()
    # configparser interpolation: a literal % in the path must be doubled
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def _migrate(engine: Engine, action: str, revision: str) -> None:
    config = _config()
    lock = write_lock_for(engine)
    try:
        with lock(), writer(engine).connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                key = {"key": MIGRATION_LOCK}
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    finally:
        lock.close()


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (default: the newest).

    Raises
    ------
    BadData
        When the database refuses the migration (no rights, a foreign schema in the way).
    """
    where = redacted(engine.url)
    try:
        _migrate(engine, "upgrade", revision)
    except DBAPIError as error:
        message = f"cannot bring the reports database {where} up to date: {_first_line(error)}"
        raise BadData(message) from None
    except CommandError as error:  # e.g. a revision from a newer stepfree
        raise BadData(
            f"the reports database {where} has a schema this stepfree does not know "
            f"({_first_line(error)}); use the stepfree version that wrote it, or a new database"
        ) from None


def downgrade_database(engine: Engine, revision: str = "base") -> None:
    """Take the schema down to ``revision`` (``base``: no tables at all)."""
    _migrate(engine, "downgrade", revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at (None before any migration)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()

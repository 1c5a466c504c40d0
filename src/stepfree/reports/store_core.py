"""What every part of the report store shares: the engine, the write lock, the change signal,
and the read and write transactions.

``ReportStore`` (``stepfree.reports.store``) is this core plus its query groups: reports
(``store.py``), API keys (``key_store.py``) and the audit log (``audit.py``). Each write is one
transaction that also bumps a revision counter (``RevisionRow``), so a version read (one
primary-key read) changes with every change, and a worker knows when its overlay or its cached
keys are stale. User text goes to the database only as bound parameters, never into SQL.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from stepfree.errors import BadInput
from stepfree.reports import database
from stepfree.reports.rate_buckets import SharedBuckets
from stepfree.reports.signal import ChangeSignal
from stepfree.reports.tables import RevisionRow


class StoreCore:
    """The engine and transactions of one store (one per process; shared between threads).

    Open with ``open(url)``; the schema is migrated to the newest revision then.
    """

    def __init__(self, engine: Engine, confirmations_needed: int) -> None:
        self._engine = engine
        self._writer = database.writer(engine)  # same pool, BEGIN IMMEDIATE on SQLite
        self._lock = database.write_lock_for(engine)
        sqlite = engine.url.get_backend_name() == "sqlite"
        where = engine.url.database if sqlite else None
        # One signal file, two readers: each remembers the counter it read (reports, keys).
        self._signal = ChangeSignal.beside(where)
        self._keys_signal = ChangeSignal.beside(where)
        self._pid = os.getpid()
        self._buckets: SharedBuckets | None = None
        self._buckets_lock = threading.Lock()
        self.confirmations_needed = confirmations_needed

    @classmethod
    def open(cls, url: str, confirmations_needed: int = 3) -> Self:
        """Connect to ``url`` (``sqlite:///FILE``, a file path, or ``postgresql://...``).

        Runs the Alembic migrations up to the newest revision.

        Parameters
        ----------
        url
            The database; ``postgresql://`` uses the psycopg 3 driver.
        confirmations_needed
            Independent confirmations that publish a pending report (at least 1).

        Raises
        ------
        BadInput
            For an unusable URL, an unreachable server or a bad ``confirmations_needed``.
        BadData
            When the database refuses the schema migration.
        """
        if isinstance(confirmations_needed, bool) or not 1 <= confirmations_needed <= 1000:
            raise BadInput(f"confirmations_needed must be 1..1000, got {confirmations_needed!r}")
        parsed = database.database_url(url)
        engine = database.create_store_engine(parsed)
        try:
            database.check_connection(engine, parsed)
            database.upgrade_database(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, confirmations_needed)

    @property
    def engine(self) -> Engine:
        """This process's engine (a forked child gets fresh connections, not the parent's)."""
        if os.getpid() != self._pid:
            self._engine.dispose(close=False)
            self._pid = os.getpid()
        return self._engine

    @property
    def write_lock(self) -> database.WriteLock:
        """The lock every writer of this database takes first (see ``database.WriteLock``)."""
        return self._lock

    @property
    def rate_buckets(self) -> SharedBuckets:
        """The rate-limit buckets in this database, shared by every process that opens it
        (their own small pool, opened on first use)."""
        if self._buckets is None:
            with self._buckets_lock:
                if self._buckets is None:
                    self._buckets = SharedBuckets(self._engine.url, self._lock)
        return self._buckets

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()
        if self._buckets is not None:
            self._buckets.close()
        self._lock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        self.engine  # noqa: B018 (after a fork: drop the parent's connections first)
        with (
            self._lock(),
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session
        # committed: tell the readers (reports.signal); if the file cannot be replaced, this
        # process at least reads both counters again next time
        if not self._signal.bump():
            self._keys_signal.forget()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @staticmethod
    def _bump(session: Session, counter: int = RevisionRow.REPORTS) -> None:
        # Last statement of every write: the revision row is the last lock taken, so two
        # writers never wait for each other in opposite orders.
        session.execute(
            update(RevisionRow).where(RevisionRow.id == counter).values(value=RevisionRow.value + 1)
        )

    @staticmethod
    def _serialised(session: Session, lock: int) -> None:
        """Serialise this transaction with every other taking ``lock`` (PostgreSQL: an
        advisory lock until commit; SQLite writers are serialised by its write lock anyway)."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})

    def _read_counter(self, counter: int) -> int:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(RevisionRow.value).where(RevisionRow.id == counter)
            ).scalar_one()
        return int(value)

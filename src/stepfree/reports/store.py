"""The report store: every query of the reports database lives here (SQLAlchemy 2, sync).

Each write is one transaction that also bumps the revision counter, so ``version()`` (one
primary-key read) changes with every change to the reports and the API knows when to rebuild
the routing overlay. Rows are locked (``FOR UPDATE`` on PostgreSQL, the write lock on SQLite)
before a status changes, so concurrent moderators and confirmers never lose an update.
User text goes to the database only as bound parameters, never into SQL.
"""

from __future__ import annotations

import builtins
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from stepfree.errors import BadInput
from stepfree.reports import database
from stepfree.reports.domain import (
    LIVE_STATUSES,
    MAX_INT64,
    PUBLISHING_ROLES,
    ApiKey,
    Conflict,
    NotFound,
    Report,
    ReportIn,
    ReportStatus,
    Role,
    as_utc,
    check_bbox,
    check_client_id,
    check_place,
    check_transition,
    parse_status,
    valid_id,
    validity_window,
)
from stepfree.reports.signal import ChangeSignal
from stepfree.reports.tables import ApiKeyRow, ConfirmationRow, ReportRow, RevisionRow

MAX_PAGE = 1000  # most reports one ``list`` call returns
MAX_LABEL = 200  # characters of a key's label
SECRET_BYTES = 32  # random bytes in a key's secret (256 bits)
KEY_SCHEME = "sf"  # secrets read "sf_<prefix>_<random>": recognisable in a leaked config


class ReportStore:
    """Barrier reports and API keys in SQLite or PostgreSQL.

    Open with ``ReportStore.open(url)``; the schema is migrated to the newest revision then.
    One store (one engine and its connection pool) per process; it is safe to share between
    threads.
    """

    def __init__(self, engine: Engine, confirmations_needed: int) -> None:
        self._engine = engine
        self._writer = database.writer(engine)  # same pool, BEGIN IMMEDIATE on SQLite
        self._lock = database.write_lock_for(engine)
        sqlite = engine.url.get_backend_name() == "sqlite"
        self._signal = ChangeSignal.beside(engine.url.database if sqlite else None)
        self._pid = os.getpid()
        self.confirmations_needed = confirmations_needed

    @classmethod
    def open(cls, url: str, confirmations_needed: int = 3) -> ReportStore:
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

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()
        self._lock.close()

    def __enter__(self) -> ReportStore:
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
        self._signal.bump()  # committed: tell the readers (reports.signal)

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @staticmethod
    def _bump(session: Session) -> None:
        # Last statement of every write: the revision row is the last lock taken, so two
        # writers never wait for each other in opposite orders.
        session.execute(
            update(RevisionRow).where(RevisionRow.id == 1).values(value=RevisionRow.value + 1)
        )

    @staticmethod
    def _locked(session: Session, report_id: int) -> ReportRow:
        row = None
        if valid_id(report_id):
            row = session.execute(
                select(ReportRow).where(ReportRow.id == report_id).with_for_update()
            ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no report with id {report_id!r}")
        return row

    # --- reports -------------------------------------------------------------------------

    def create(self, data: ReportIn, key: ApiKey | None, client_id: str, now: datetime) -> Report:
        """Store a new report; official (and moderator, admin) keys publish it at once.

        Parameters
        ----------
        data
            The validated request body.
        key
            The caller's key, or None for an anonymous report.
        client_id
            A non-secret hash that identifies the caller (of its key id or address); its own
            confirmations of this report will not count.
        now
            The time of the request (aware, or naive meaning UTC).

        Raises
        ------
        BadInput
            For a missing or double place, an empty or past validity window, a bad client id.
        """
        check_place(data)
        valid_from, valid_until = validity_window(data, now)
        now = as_utc(now, "now")
        check_client_id(client_id)
        publishes = key is not None and key.role in PUBLISHING_ROLES
        source = "official" if publishes else "reporter" if key is not None else "anonymous"
        row = ReportRow(
            type=data.type.value,
            lat=data.lat,
            lon=data.lon,
            osm_node_id=data.osm_node_id,
            osm_way_id=data.osm_way_id,
            description=data.description,
            valid_from=valid_from,
            valid_until=valid_until,
            status=(ReportStatus.approved if publishes else ReportStatus.pending).value,
            confirmations=0,
            source=source,
            key_id=key.id if key is not None else None,
            client_id=client_id,
            created_at=now,
            updated_at=now,
        )
        with self._write() as session:
            session.add(row)
            session.flush()
            self._bump(session)
            return Report.model_validate(row)

    def get(self, report_id: int) -> Report | None:
        """The report with this id, or None."""
        if not valid_id(report_id):
            return None
        with self._read() as session:
            row = session.get(ReportRow, report_id)
            return None if row is None else Report.model_validate(row)

    def list(
        self,
        bbox: tuple[float, float, float, float] | None = None,
        status: ReportStatus | None = None,
        at: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[Report]:
        """Reports in id order, filtered by area, status and validity time.

        Parameters
        ----------
        bbox
            ``(west, south, east, north)`` in degrees: reports with a point inside it (reports
            placed by OSM id have no point and are left out).
        status
            Only reports with this status.
        at
            Only reports valid at this time (``valid_from <= at < valid_until``).
        limit, offset
            Paging: at most ``limit`` (1..1000) reports after skipping ``offset``.

        Raises
        ------
        BadInput
            For a malformed box or paging values out of range.
        """
        if isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise BadInput(f"limit must be 1..{MAX_PAGE}, got {limit!r}")
        if isinstance(offset, bool) or not 0 <= offset <= MAX_INT64:
            raise BadInput(f"offset must be 0 or more, got {offset!r}")
        query = select(ReportRow).order_by(ReportRow.id).limit(limit).offset(offset)
        if bbox is not None:
            west, south, east, north = check_bbox(bbox)
            query = query.where(
                ReportRow.lon >= west,
                ReportRow.lon <= east,
                ReportRow.lat >= south,
                ReportRow.lat <= north,
            )
        if status is not None:
            query = query.where(ReportRow.status == parse_status(status).value)
        if at is not None:
            moment = as_utc(at, "at")
            query = query.where(ReportRow.valid_from <= moment, ReportRow.valid_until > moment)
        with self._read() as session:
            return [Report.model_validate(row) for row in session.scalars(query)]

    def confirm(self, report_id: int, client_id: str, now: datetime) -> Report:
        """Count one confirmation per client; enough of them publish a pending report.

        A second confirmation by the same client, or one by the report's own creator, changes
        nothing (and is not an error).

        Raises
        ------
        NotFound
            For an unknown id.
        Conflict
            When the report is no longer pending or approved.
        """
        check_client_id(client_id)
        now = as_utc(now, "now")
        with self._write() as session:
            row = self._locked(session, report_id)
            if row.status not in LIVE_STATUSES:
                raise Conflict(
                    f"report {report_id} is {row.status}; "
                    "only pending or approved reports can be confirmed"
                )
            duplicate = session.get(ConfirmationRow, (report_id, client_id)) is not None
            if duplicate or client_id == row.client_id:
                return Report.model_validate(row)
            session.add(ConfirmationRow(report_id=report_id, client_id=client_id, created_at=now))
            row.confirmations += 1
            row.updated_at = now
            if (
                row.status == ReportStatus.pending
                and row.confirmations >= self.confirmations_needed
            ):
                row.status = ReportStatus.approved.value
            session.flush()
            self._bump(session)
            return Report.model_validate(row)

    def set_status(
        self, report_id: int, status: ReportStatus, key: ApiKey, now: datetime
    ) -> Report:
        """Moderate: approve, reject or resolve a report (roles are checked by the API).

        Raises
        ------
        NotFound
            For an unknown id.
        Conflict
            For an illegal transition (naming the current and the requested status).
        """
        target = parse_status(status)
        now = as_utc(now, "now")
        with self._write() as session:
            row = self._locked(session, report_id)
            check_transition(report_id, ReportStatus(row.status), target)
            row.status = target.value
            row.moderated_by = key.id
            row.updated_at = now
            session.flush()
            self._bump(session)
            return Report.model_validate(row)

    def expire_due(self, now: datetime) -> int:
        """Mark pending and approved reports whose window has ended as expired; how many."""
        now = as_utc(now, "now")
        with self._write() as session:
            result = session.execute(
                update(ReportRow)
                .where(ReportRow.status.in_([s.value for s in LIVE_STATUSES]))
                .where(ReportRow.valid_until <= now)
                .values(status=ReportStatus.expired.value, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            # the stubs type this as Result; an UPDATE's is a CursorResult, which has rowcount
            count = int(result.rowcount)  # type: ignore[attr-defined]
            if count:
                self._bump(session)
            return count

    def live(self, now: datetime | None = None) -> builtins.list[Report]:
        """Approved reports (any validity window; routing selects by the time of travel).

        With ``now``, reports whose window ended before it are left out even if
        ``expire_due`` has not run yet.
        """
        query = (
            select(ReportRow)
            .where(ReportRow.status == ReportStatus.approved.value)
            .order_by(ReportRow.id)
        )
        if now is not None:
            query = query.where(ReportRow.valid_until > as_utc(now, "now"))
        with self._read() as session:
            return [Report.model_validate(row) for row in session.scalars(query)]

    def version(self) -> str:
        """A token that changes whenever any report changes (one primary-key read, skipped
        on SQLite when no write was signalled since the last: `reports.signal`)."""
        return self._signal.version(self._read_version)

    def _read_version(self) -> str:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(RevisionRow.value).where(RevisionRow.id == 1)
            ).scalar_one()
        return f"r{value}"

    # --- API keys ------------------------------------------------------------------------

    def create_key(self, role: Role, label: str = "") -> tuple[ApiKey, str]:
        """A new key and its secret; only the secret's SHA-256 is stored, so show it once.

        Raises
        ------
        BadInput
            For an unknown role or a label longer than 200 characters.
        """
        try:
            role = Role(role)
        except ValueError:
            roles = ", ".join(r.value for r in Role)
            raise BadInput(f"unknown role {role!r}; choose one of {roles}") from None
        if len(label) > MAX_LABEL or "\x00" in label:
            raise BadInput(f"a key label is plain text of at most {MAX_LABEL} characters")
        prefix = secrets.token_hex(4)
        secret = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
        row = ApiKeyRow(
            role=role.value,
            label=label,
            prefix=prefix,
            secret_sha256=_digest(secret),
            created_at=datetime.now(UTC),
        )
        with self._write() as session:
            session.add(row)
            session.flush()
            return ApiKey.model_validate(row), secret

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The key whose secret this is, or None (compared in constant time)."""
        if not isinstance(secret, str) or len(secret) > 200:
            return None
        parts = secret.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_SCHEME or len(parts[1]) != 8:
            return None
        try:
            digest = _digest(secret)
        except UnicodeEncodeError:
            return None
        with self._read() as session:
            rows = session.scalars(select(ApiKeyRow).where(ApiKeyRow.prefix == parts[1]))
            for row in rows:
                if hmac.compare_digest(row.secret_sha256, digest):
                    return ApiKey.model_validate(row)
        return None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()

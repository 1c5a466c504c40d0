"""The report store: every query of the reports database lives here or in its query groups
(SQLAlchemy 2, sync): reports in this module, API keys in ``key_store.py``, the audit log in
``audit.py``, the engine and transactions in ``store_core.py``.

Each write is one transaction that also bumps the revision counter, so ``version()`` (one
primary-key read) changes with every change to the reports and the API knows when to rebuild
the routing overlay. Rows are locked (``FOR UPDATE`` on PostgreSQL, the write lock on SQLite)
before a status changes, so concurrent moderators and confirmers never lose an update. Every
status change other than a plain confirmation writes its audit row in the same transaction.
User text goes to the database only as bound parameters, never into SQL.
"""

from __future__ import annotations

import builtins
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from stepfree.errors import BadInput, Conflict, NotFound
from stepfree.reports.audit import SYSTEM, Actor, AuditAction, record
from stepfree.reports.domain import (
    LIVE_STATUSES,
    MAX_INT64,
    PUBLISHING_ROLES,
    ApiKey,
    Report,
    ReportIn,
    ReportStatus,
    as_utc,
    check_bbox,
    check_client_id,
    check_place,
    check_transition,
    parse_status,
    valid_id,
    validity_window,
)
from stepfree.reports.key_store import KeyStore
from stepfree.reports.tables import ConfirmationRow, ReportRow, RevisionRow

MAX_PAGE = 1000  # most reports one ``list`` call returns

#: The audit action of each status a key may set (``expired``: by hand, as ``expire_due`` does).
MODERATION = {
    ReportStatus.approved: AuditAction.report_approve,
    ReportStatus.rejected: AuditAction.report_reject,
    ReportStatus.resolved: AuditAction.report_resolve,
    ReportStatus.expired: AuditAction.report_expire,
}


class ReportStore(KeyStore):
    """Barrier reports, API keys and the audit log in SQLite or PostgreSQL.

    Open with ``ReportStore.open(url)``; the schema is migrated to the newest revision then.
    One store (one engine and its connection pool) per process; it is safe to share between
    threads.
    """

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
            if key is not None and publishes:
                record(
                    session,
                    AuditAction.report_publish_on_create,
                    Actor.of_key(key),
                    now,
                    report_id=row.id,
                    to_status=row.status,
                    detail=f"{data.type.value} by a {key.role.value} key",
                )
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
        live_at: datetime | None = None,
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
        live_at
            Only live reports at this time: pending or approved, and their window not ended
            (``valid_until > live_at``; a window still to come counts).

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
        if live_at is not None:
            query = query.where(
                ReportRow.status.in_([s.value for s in LIVE_STATUSES]),
                ReportRow.valid_until > as_utc(live_at, "live_at"),
            )
        with self._read() as session:
            return [Report.model_validate(row) for row in session.scalars(query)]

    def confirm(
        self, report_id: int, client_id: str, now: datetime, key: ApiKey | None = None
    ) -> Report:
        """Count one confirmation per client; enough of them publish a pending report.

        A second confirmation by the same client, or one by the report's own creator, changes
        nothing (and is not an error). ``key`` is the confirming caller's key, if any: the
        audit log names it when this confirmation publishes the report.

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
                record(
                    session,
                    AuditAction.report_publish_by_confirmations,
                    Actor.of_client(client_id, key),
                    now,
                    report_id=report_id,
                    from_status=ReportStatus.pending.value,
                    to_status=row.status,
                    detail=f"{row.confirmations} of {self.confirmations_needed} confirmations",
                )
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
            before = ReportStatus(row.status)
            check_transition(report_id, before, target)
            row.status = target.value
            row.moderated_by = key.id
            row.updated_at = now
            record(
                session,
                MODERATION[target],
                Actor.of_key(key),
                now,
                report_id=report_id,
                from_status=before.value,
                to_status=target.value,
            )
            session.flush()
            self._bump(session)
            return Report.model_validate(row)

    def expire_due(self, now: datetime) -> int:
        """Mark pending and approved reports whose window has ended as expired; how many.

        Each expiry is in the audit log (actor ``system``).
        """
        now = as_utc(now, "now")
        due = (
            select(ReportRow)
            .where(ReportRow.status.in_([s.value for s in LIVE_STATUSES]))
            .where(ReportRow.valid_until <= now)
            .order_by(ReportRow.id)
            .with_for_update()
        )
        with self._write() as session:
            rows = list(session.scalars(due))
            for row in rows:
                record(
                    session,
                    AuditAction.report_expire,
                    SYSTEM,
                    now,
                    report_id=row.id,
                    from_status=row.status,
                    to_status=ReportStatus.expired.value,
                )
                row.status = ReportStatus.expired.value
                row.updated_at = now
            if rows:
                session.flush()
                self._bump(session)
            return len(rows)

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
        return f"r{self._read_counter(RevisionRow.REPORTS)}"

"""The audit log: every moderation and key action, who did it, when, on what, from which status
to which.

A row is added by ``record`` inside the transaction of the change it describes (the store's
write methods call it before they commit), so a change without its row, or a row without its
change, never happens. The log holds ids, roles, statuses and short non-secret details only:
never a secret or its hash, never a raw client address (``client_id`` is the API's hash, as in
``Caller.client_id``), never a report's text.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stepfree.errors import BadInput
from stepfree.reports.domain import MAX_INT64, ApiKey, as_utc, valid_id
from stepfree.reports.store_core import StoreCore
from stepfree.reports.tables import AuditRow

MAX_AUDIT_PAGE = 1000  # most entries one ``audit`` call returns
MAX_DETAIL = 200  # characters of an entry's detail (the column's width)

ActorKind = Literal["key", "client", "operator", "system"]


class AuditAction(StrEnum):
    """What was done."""

    report_approve = "report.approve"
    report_reject = "report.reject"
    report_resolve = "report.resolve"
    #: created by an official, moderator or admin key: live at once
    report_publish_on_create = "report.publish_on_create"
    #: a pending report published by its independent confirmations
    report_publish_by_confirmations = "report.publish_by_confirmations"
    #: a pending or approved report whose validity window ended
    report_expire = "report.expire"
    key_create = "key.create"
    key_revoke = "key.revoke"
    key_rotate = "key.rotate"
    key_expiry = "key.expiry"


class Actor(BaseModel):
    """Who acted: an API key, an anonymous client (by its hash), the operator (the ``stepfree``
    command on the database) or the service itself (expiry)."""

    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    key_id: int | None = None
    role: str | None = None
    client_id: str | None = None

    @classmethod
    def of_key(cls, key: ApiKey) -> Actor:
        """An API key acting (its id and role)."""
        return cls(kind="key", key_id=key.id, role=key.role.value, client_id=f"key:{key.id}")

    @classmethod
    def of_client(cls, client_id: str, key: ApiKey | None = None) -> Actor:
        """A caller of the API: its key if it has one, else its client id (a hash)."""
        return cls.of_key(key) if key is not None else cls(kind="client", client_id=client_id)


OPERATOR = Actor(kind="operator")  # the stepfree command, working on the database directly
SYSTEM = Actor(kind="system")  # the service itself (the periodic expiry of reports)


class AuditEntry(BaseModel):
    """One row of the audit log."""

    # served as exactly these members: the API's schema says so (additionalProperties: false)
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"additionalProperties": False}
    )

    id: int
    at: datetime
    action: AuditAction
    actor: ActorKind
    actor_key_id: int | None
    actor_role: str | None
    client_id: str | None
    report_id: int | None
    key_id: int | None
    from_status: str | None
    to_status: str | None
    detail: str


def record(
    session: Session,
    action: AuditAction,
    actor: Actor,
    at: datetime,
    *,
    report_id: int | None = None,
    key_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    detail: str = "",
) -> None:
    """Add the audit row of a change to the change's own transaction."""
    session.add(
        AuditRow(
            at=as_utc(at, "at"),
            action=action.value,
            actor=actor.kind,
            actor_key_id=actor.key_id,
            actor_role=actor.role,
            client_id=actor.client_id,
            report_id=report_id,
            key_id=key_id,
            from_status=from_status,
            to_status=to_status,
            detail=detail[:MAX_DETAIL],
        )
    )


def minute(moment: datetime | None) -> str:
    """A time for a detail text: ``2027-01-01T00:00Z``, or ``never`` for None."""
    if moment is None:
        return "never"
    return as_utc(moment, "time").strftime("%Y-%m-%dT%H:%MZ")


class AuditLog(StoreCore):
    """The audit log's query (the rows are written by the store's write methods)."""

    def audit(
        self,
        report_id: int | None = None,
        key_id: int | None = None,
        action: AuditAction | str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> builtins.list[AuditEntry]:
        """Audit entries, newest first, filtered and paged.

        Parameters
        ----------
        report_id
            Only entries about this report.
        key_id
            Only entries about this key or done by it (a leaked key: what it did, what was
            done to it).
        action
            Only this action (see `AuditAction`).
        since, until
            Only entries at or after ``since`` and before ``until``.
        limit, offset
            Paging: at most ``limit`` (1..1000) entries after skipping ``offset``.

        Raises
        ------
        BadInput
            For an unknown action, a bad id or paging values out of range.
        """
        if isinstance(limit, bool) or not 1 <= limit <= MAX_AUDIT_PAGE:
            raise BadInput(f"limit must be 1..{MAX_AUDIT_PAGE}, got {limit!r}")
        if isinstance(offset, bool) or not 0 <= offset <= MAX_INT64:
            raise BadInput(f"offset must be 0 or more, got {offset!r}")
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit).offset(offset)
        for name, value in (("report id", report_id), ("key id", key_id)):
            if value is not None and not valid_id(value):
                raise BadInput(f"{name} must be a positive integer, got {value!r}")
        if report_id is not None:
            query = query.where(AuditRow.report_id == report_id)
        if key_id is not None:
            query = query.where(or_(AuditRow.key_id == key_id, AuditRow.actor_key_id == key_id))
        if action is not None:
            query = query.where(AuditRow.action == parse_action(action).value)
        if since is not None:
            query = query.where(AuditRow.at >= as_utc(since, "since"))
        if until is not None:
            query = query.where(AuditRow.at < as_utc(until, "until"))
        with self._read() as session:
            return [AuditEntry.model_validate(row) for row in session.scalars(query)]


def parse_action(action: AuditAction | str) -> AuditAction:
    """An action from its name, or ``BadInput`` listing the names."""
    try:
        return AuditAction(action)
    except ValueError:
        names = ", ".join(a.value for a in AuditAction)
        raise BadInput(f"unknown audit action {action!r}; choose one of {names}") from None

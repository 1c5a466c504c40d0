"""The audit log in the store, on SQLite and PostgreSQL: every moderation, publication, expiry
and key action has its row, written in the same transaction as the change (never one without
the other), filtered and paged, and free of secrets, addresses and report text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from stepfree.errors import BadInput, Conflict
from stepfree.reports import ReportIn, ReportStatus, ReportStore, Role
from stepfree.reports.audit import Actor, AuditAction

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
POINT = {"lat": 60.1699, "lon": 24.9384}
ADDRESS = "203.0.113.7"
CLIENT = "addr:" + hashlib.sha256(ADDRESS.encode()).hexdigest()[:20]  # as Caller.client_id


def _report(**fields: object) -> ReportIn:
    return ReportIn.model_validate({"type": "obstacle", **POINT, **fields})


def _summary(store: ReportStore, **filters: object) -> list[tuple[object, ...]]:
    return [
        (e.action.value, e.actor, e.actor_key_id, e.report_id, e.key_id, e.from_status, e.to_status)
        for e in store.audit(**filters)  # type: ignore[arg-type]
    ]


def test_moderation_is_logged_with_who_what_and_statuses(store: ReportStore) -> None:
    moderator, _ = store.create_key(Role.moderator, now=NOW)
    official, _ = store.create_key(Role.official, now=NOW)
    first = store.create(_report(), None, CLIENT, NOW)
    second = store.create(_report(), None, CLIENT, NOW)
    store.set_status(first.id, ReportStatus.approved, moderator, NOW)
    store.set_status(first.id, ReportStatus.resolved, official, NOW + timedelta(hours=1))
    store.set_status(second.id, ReportStatus.rejected, moderator, NOW)
    m, o = moderator.id, official.id
    assert _summary(store, report_id=first.id) == [
        ("report.resolve", "key", o, first.id, None, "approved", "resolved"),
        ("report.approve", "key", m, first.id, None, "pending", "approved"),
    ]
    assert _summary(store, report_id=second.id) == [
        ("report.reject", "key", m, second.id, None, "pending", "rejected"),
    ]
    (resolved, *_) = store.audit(report_id=first.id)
    assert (resolved.at, resolved.actor_role) == (NOW + timedelta(hours=1), "official")


def test_publication_by_confirmations_and_by_an_official_key(store: ReportStore) -> None:
    official, _ = store.create_key(Role.official, now=NOW)
    reporter, _ = store.create_key(Role.reporter, now=NOW)
    live = store.create(_report(), official, f"key:{official.id}", NOW)
    pending = store.create(_report(), None, "creator", NOW)
    store.confirm(pending.id, CLIENT, NOW)
    store.confirm(pending.id, "addr:other", NOW)
    assert store.audit(report_id=pending.id) == []  # plain confirmations are not actions
    store.confirm(pending.id, f"key:{reporter.id}", NOW, key=reporter)
    (published,) = store.audit(report_id=pending.id)
    assert published.action is AuditAction.report_publish_by_confirmations
    assert (published.actor, published.actor_key_id, published.actor_role) == (
        "key",
        reporter.id,
        "reporter",
    )
    assert (published.from_status, published.to_status) == ("pending", "approved")
    assert published.detail == "3 of 3 confirmations"
    (created,) = store.audit(report_id=live.id)
    assert created.action is AuditAction.report_publish_on_create
    assert (created.actor_key_id, created.from_status, created.to_status) == (
        official.id,
        None,
        "approved",
    )
    anonymous = store.create(_report(), None, "creator", NOW)
    for client in ("a", "b"):
        store.confirm(anonymous.id, client, NOW)
    store.confirm(anonymous.id, CLIENT, NOW)
    (by_client,) = store.audit(report_id=anonymous.id)
    assert (by_client.actor, by_client.actor_key_id, by_client.client_id) == (
        "client",
        None,
        CLIENT,
    )


def test_expiry_is_logged_by_the_system(store: ReportStore) -> None:
    official, _ = store.create_key(Role.official, now=NOW)
    pending = store.create(_report(type="flooding"), None, "c", NOW)
    approved = store.create(_report(type="flooding"), official, "c", NOW)
    later = NOW + timedelta(days=2)
    assert store.expire_due(later) == 2
    rows = _summary(store, action="report.expire")
    assert sorted(rows, key=lambda row: row[3]) == [  # type: ignore[arg-type, return-value]
        ("report.expire", "system", None, pending.id, None, "pending", "expired"),
        ("report.expire", "system", None, approved.id, None, "approved", "expired"),
    ]
    assert {e.at for e in store.audit(action="report.expire")} == {later}


def test_key_actions_are_logged_by_the_operator_or_the_acting_key(store: ReportStore) -> None:
    admin, _ = store.create_key(Role.admin, now=NOW)
    made, _ = store.create_key(
        Role.reporter, "app", expires_at=NOW + timedelta(days=90), actor=Actor.of_key(admin)
    )
    store.rotate_key(made.id, grace=timedelta(hours=1), actor=Actor.of_key(admin), now=NOW)
    store.set_key_expiry(made.id, None, now=NOW)
    store.revoke_key(made.id, actor=Actor.of_key(admin), now=NOW)
    a = admin.id
    assert _summary(store, key_id=made.id) == [
        ("key.revoke", "key", a, None, made.id, "active", "revoked"),
        ("key.expiry", "operator", None, None, made.id, "active", "active"),
        ("key.rotate", "key", a, None, made.id, "active", "active"),
        ("key.create", "key", a, None, made.id, None, "active"),
    ]
    details = [e.detail for e in store.audit(key_id=made.id)]
    assert details[1] == f"expires {(NOW + timedelta(days=90)):%Y-%m-%dT%H:%M}Z -> never"
    assert details[2] == "old secret valid until 2030-01-15T13:00Z"
    assert details[3].startswith("role reporter, expires ")
    # key_id finds what a key did as well as what was done to it
    assert [e.key_id for e in store.audit(key_id=admin.id)] == [made.id] * 3 + [admin.id]


def test_a_refused_change_leaves_no_row(store: ReportStore) -> None:
    moderator, _ = store.create_key(Role.moderator, now=NOW)
    admin, _ = store.create_key(Role.admin, now=NOW)
    report = store.create(_report(), None, "c", NOW)
    store.set_status(report.id, ReportStatus.rejected, moderator, NOW)
    before = store.audit()
    with pytest.raises(Conflict):
        store.set_status(report.id, ReportStatus.approved, moderator, NOW)
    with pytest.raises(Conflict, match="last working admin key"):
        store.revoke_key(admin.id, now=NOW, keep_an_admin=True)
    assert store.audit() == before


def test_a_change_whose_row_cannot_be_written_does_not_happen(store: ReportStore) -> None:
    moderator, _ = store.create_key(Role.moderator, now=NOW)
    report = store.create(_report(), None, "c", NOW)
    version = store.version()
    with store.engine.begin() as connection:  # the log refuses every row from now on
        connection.execute(text("ALTER TABLE audit_log RENAME TO audit_log_gone"))
    try:
        with pytest.raises(DBAPIError):
            store.set_status(report.id, ReportStatus.approved, moderator, NOW)
        with pytest.raises(DBAPIError):
            store.revoke_key(moderator.id, now=NOW)
    finally:
        with store.engine.begin() as connection:
            connection.execute(text("ALTER TABLE audit_log_gone RENAME TO audit_log"))
    assert store.get(report.id).status is ReportStatus.pending  # type: ignore[union-attr]
    assert store.get_key(moderator.id).revoked_at is None  # type: ignore[union-attr]
    assert store.version() == version


def test_filters_by_action_and_time_and_paging(store: ReportStore) -> None:
    moderator, _ = store.create_key(Role.moderator, now=NOW)
    ids = []
    for hour in range(5):
        report = store.create(_report(), None, "c", NOW)
        store.set_status(report.id, ReportStatus.approved, moderator, NOW + timedelta(hours=hour))
        ids.append(report.id)
    approvals = store.audit(action=AuditAction.report_approve)
    assert [e.report_id for e in approvals] == ids[::-1]  # newest first
    window = store.audit(since=NOW + timedelta(hours=1), until=NOW + timedelta(hours=3))
    assert [e.report_id for e in window] == [ids[2], ids[1]]
    pages = [store.audit(action="report.approve", limit=2, offset=n) for n in (0, 2, 4)]
    assert [[e.report_id for e in page] for page in pages] == [ids[4:2:-1], ids[2:0:-1], ids[:1]]
    for bad, words in (
        ({"action": "report.delete"}, "unknown audit action 'report.delete'"),
        ({"limit": 0}, "limit must be 1..1000"),
        ({"offset": -1}, "offset must be"),
        ({"report_id": 0}, "report id must be a positive integer"),
        ({"key_id": 2**70}, "key id must be a positive integer"),
    ):
        with pytest.raises(BadInput, match=words):
            store.audit(**bad)  # type: ignore[arg-type]


def test_the_log_holds_no_secrets_addresses_or_report_text(store: ReportStore) -> None:
    admin, admin_secret = store.create_key(Role.admin, "night shift", now=NOW)
    key, secret = store.create_key(Role.official, actor=Actor.of_key(admin), now=NOW)
    _, rotated = store.rotate_key(key.id, grace=timedelta(hours=1), now=NOW)
    text_ = "Бордюр высокий; secret-looking text sf_deadbeef_x"
    report = store.create(_report(description=text_), key, f"key:{key.id}", NOW)
    store.set_status(report.id, ReportStatus.resolved, key, NOW)
    pending = store.create(_report(description=text_), None, "creator", NOW)
    for client in ("a", "b", CLIENT):
        store.confirm(pending.id, client, NOW)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_log")).all()
        hashes = connection.execute(text("SELECT secret_sha256 FROM api_keys")).scalars().all()
    assert len(rows) == 6
    stored = " ".join(str(value) for row in rows for value in row)
    for forbidden in (admin_secret, secret, rotated, *hashes, text_, "night shift", ADDRESS):
        assert forbidden not in stored
    for value in (admin_secret, secret, rotated):
        assert value.split("_", 2)[2] not in stored

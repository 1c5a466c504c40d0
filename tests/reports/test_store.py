"""The report store on SQLite and PostgreSQL: lifecycle, listing, confirmations, keys, text."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from stepfree.errors import BadInput, Conflict, NotFound
from stepfree.reports import (
    DEFAULT_LIFETIME,
    ApiKey,
    ReportIn,
    ReportStatus,
    ReportStore,
    ReportType,
    Role,
)

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
HELSINKI = {"lat": 60.1699, "lon": 24.9384}


def _report(**fields: object) -> ReportIn:
    values: dict[str, object] = {"type": "snow_ice", **HELSINKI}
    values.update(fields)
    return ReportIn.model_validate(values)


def _key(store: ReportStore, role: Role) -> ApiKey:
    return store.create_key(role, f"{role} key")[0]


def test_create_get_round_trip(store: ReportStore) -> None:
    created = store.create(_report(description="ice on the ramp"), None, "client-a", NOW)
    assert created.id > 0
    assert created.status == ReportStatus.pending
    assert created.source == "anonymous"
    assert created.confirmations == 0
    assert created.valid_from == NOW
    assert created.valid_until == NOW + timedelta(days=3)
    assert created.created_at.tzinfo is not None
    assert store.get(created.id) == created
    assert store.get(created.id + 1000) is None
    assert store.get(0) is None
    assert store.get(2**70) is None  # beyond 64 bits: not found, not a driver error


def test_naive_and_offset_times_are_stored_as_utc(store: ReportStore) -> None:
    start = datetime(2030, 1, 15, 13, 0)  # naive: read as UTC
    astana = timezone(timedelta(hours=5))
    until = datetime(2030, 1, 16, 1, 0, tzinfo=astana)  # 2030-01-15 20:00 UTC
    report = store.create(_report(valid_from=start, valid_until=until), None, "c", NOW)
    assert report.valid_from == datetime(2030, 1, 15, 13, 0, tzinfo=UTC)
    assert report.valid_until == datetime(2030, 1, 15, 20, 0, tzinfo=UTC)
    assert report.valid_until.utcoffset() == timedelta(0)
    assert report.valid_until.hour == 20
    # the time filters compare in UTC too
    assert store.list(at=datetime(2030, 1, 16, 0, 30, tzinfo=astana)) == [report]
    assert store.list(at=datetime(2030, 1, 16, 1, 0, tzinfo=astana)) == []


def test_default_lifetime_per_type(store: ReportStore) -> None:
    for kind in ReportType:
        report = store.create(_report(type=kind), None, "c", NOW)
        assert report.valid_until - report.valid_from == DEFAULT_LIFETIME[kind], kind


BAD_REPORTS = [
    ({"lat": None, "lon": None}, "exactly one place, got no place"),
    ({"osm_node_id": 5}, "got lat/lon and osm_node_id"),
    ({"lat": None, "lon": None, "osm_node_id": 5, "osm_way_id": 6}, "osm_node_id and osm_way_id"),
    ({"lat": None}, "both lat and lon"),
    ({"valid_from": NOW, "valid_until": NOW}, "must be after"),
    (
        {"valid_from": NOW - timedelta(days=2), "valid_until": NOW - timedelta(days=1)},
        "already past",
    ),
    ({"valid_from": NOW.replace(year=2250)}, "out of range"),
    ({"valid_until": NOW.replace(year=1999)}, "out of range"),
    ({"valid_from": NOW.replace(year=2199, month=12, day=31)}, "too far ahead"),
]


def test_bad_reports_are_refused(store: ReportStore) -> None:
    for fields, words in BAD_REPORTS:
        with pytest.raises(BadInput, match=words):
            store.create(_report(**fields), None, "c", NOW)
    assert store.list() == []
    assert store.version() == "r0"


def test_official_publishes_at_once_reporter_waits(store: ReportStore) -> None:
    official = store.create(_report(), _key(store, Role.official), "city", NOW)
    reporter = store.create(_report(), _key(store, Role.reporter), "resident", NOW)
    assert (official.status, official.source) == (ReportStatus.approved, "official")
    assert (reporter.status, reporter.source) == (ReportStatus.pending, "reporter")
    assert [r.id for r in store.live()] == [official.id]


def test_confirmations_publish_and_count_each_client_once(store: ReportStore) -> None:
    report = store.create(_report(), None, "creator", NOW)
    assert store.confirm(report.id, "creator", NOW).confirmations == 0  # own report
    assert store.confirm(report.id, "b", NOW).confirmations == 1
    again = store.confirm(report.id, "b", NOW)
    assert (again.confirmations, again.status) == (1, ReportStatus.pending)
    assert store.confirm(report.id, "c", NOW).status == ReportStatus.pending
    published = store.confirm(report.id, "d", NOW)
    assert (published.confirmations, published.status) == (3, ReportStatus.approved)
    assert store.confirm(report.id, "e", NOW).confirmations == 4  # approved still counts
    assert [r.id for r in store.live()] == [report.id]


def test_concurrent_confirmations_are_all_counted(store: ReportStore) -> None:
    report = store.create(_report(), None, "creator", NOW)
    clients = [f"client-{n % 12}" for n in range(36)]  # each of 12 clients three times
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda c: store.confirm(report.id, c, NOW), clients))
    final = store.get(report.id)
    assert final is not None
    assert (final.confirmations, final.status) == (12, ReportStatus.approved)


def test_confirming_unknown_or_closed_reports(store: ReportStore) -> None:
    with pytest.raises(NotFound, match="no report with id 99"):
        store.confirm(99, "a", NOW)
    moderator = _key(store, Role.moderator)
    report = store.create(_report(), None, "c", NOW)
    store.set_status(report.id, ReportStatus.rejected, moderator, NOW)
    with pytest.raises(Conflict, match="is rejected"):
        store.confirm(report.id, "a", NOW)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (["approved"], "approved"),
        (["rejected"], "rejected"),
        (["approved", "resolved"], "resolved"),
        (["approved", "rejected"], "rejected"),
    ],
)
def test_legal_transitions(store: ReportStore, path: list[str], status: str) -> None:
    moderator = _key(store, Role.moderator)
    report = store.create(_report(), None, "c", NOW)
    for step in path:
        report = store.set_status(report.id, ReportStatus(step), moderator, NOW)
    assert report.status == status
    assert store.get(report.id) == report


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "resolved"),
        (["rejected"], "approved"),
        (["approved", "resolved"], "approved"),
        (["approved"], "approved"),
        (["approved", "resolved"], "rejected"),
    ],
)
def test_illegal_transitions_conflict(store: ReportStore, path: list[str], illegal: str) -> None:
    moderator = _key(store, Role.moderator)
    report = store.create(_report(), None, "c", NOW)
    for step in path:
        report = store.set_status(report.id, ReportStatus(step), moderator, NOW)
    before = store.version()
    with pytest.raises(Conflict, match=f"is {report.status} and cannot become {illegal}"):
        store.set_status(report.id, ReportStatus(illegal), moderator, NOW)
    assert store.get(report.id) == report
    assert store.version() == before


def test_set_status_unknown_id_and_status(store: ReportStore) -> None:
    moderator = _key(store, Role.moderator)
    with pytest.raises(NotFound):
        store.set_status(12345, ReportStatus.approved, moderator, NOW)
    with pytest.raises(BadInput, match="unknown status 'gone'"):
        store.set_status(1, "gone", moderator, NOW)  # type: ignore[arg-type]


def test_expiry_changes_status_and_version(store: ReportStore) -> None:
    official = _key(store, Role.official)
    short = store.create(_report(type="flooding"), official, "c", NOW)  # 2 days
    pending = store.create(_report(type="flooding"), None, "c", NOW)
    lasting = store.create(_report(type="steps"), official, "c", NOW)  # 365 days
    version = store.version()
    assert store.expire_due(NOW + timedelta(days=1)) == 0
    assert store.version() == version  # nothing written, nothing changed
    later = NOW + timedelta(days=2)
    assert [r.id for r in store.live(later)] == [lasting.id]  # over, though not yet expired
    assert store.expire_due(later) == 2
    assert store.version() != version
    for report in (short, pending):
        expired = store.get(report.id)
        assert expired is not None
        assert (expired.status, expired.updated_at) == (ReportStatus.expired, later)
    assert [r.id for r in store.live()] == [lasting.id]
    assert store.expire_due(later) == 0
    with pytest.raises(Conflict, match="expired and cannot become approved"):
        store.set_status(pending.id, ReportStatus.approved, official, later)


def test_version_changes_on_every_write(store: ReportStore) -> None:
    moderator = _key(store, Role.moderator)
    seen = {store.version()}
    report = store.create(_report(), None, "c", NOW)
    seen.add(store.version())
    store.confirm(report.id, "x", NOW)  # same time as the creation: still a new version
    seen.add(store.version())
    store.set_status(report.id, ReportStatus.approved, moderator, NOW)
    seen.add(store.version())
    store.expire_due(NOW + timedelta(days=30))
    seen.add(store.version())
    assert len(seen) == 5


def test_list_filters_by_bbox_status_time_and_pages(store: ReportStore) -> None:
    official = _key(store, Role.official)
    inside = [
        store.create(_report(lat=60.17 + n * 0.001, lon=24.94), official, "c", NOW)
        for n in range(5)
    ]
    outside = store.create(_report(lat=51.13, lon=71.43), None, "c", NOW)  # Astana
    by_node = store.create(_report(lat=None, lon=None, osm_node_id=42), None, "c", NOW)
    later = store.create(
        _report(valid_from=NOW + timedelta(days=10), valid_until=NOW + timedelta(days=11)),
        None,
        "c",
        NOW,
    )
    box = (24.9, 60.1, 25.0, 60.2)
    assert [r.id for r in store.list(bbox=box)] == [r.id for r in [*inside, later]]
    assert [r.id for r in store.list(status=ReportStatus.pending)] == [
        outside.id,
        by_node.id,
        later.id,
    ]
    assert later.id not in [r.id for r in store.list(at=NOW)]
    assert [r.id for r in store.list(at=NOW + timedelta(days=10, hours=1))] == [later.id]
    pages = [store.list(limit=3, offset=offset) for offset in (0, 3, 6, 9)]
    assert [len(page) for page in pages] == [3, 3, 2, 0]
    assert [r.id for page in pages for r in page] == sorted(r.id for r in store.list())
    combined = store.list(bbox=box, status=ReportStatus.approved, at=NOW, limit=2, offset=1)
    assert [r.id for r in combined] == [inside[1].id, inside[2].id]


def test_list_live_at_keeps_pending_and_approved_whose_window_has_not_ended(
    store: ReportStore,
) -> None:
    moderator = _key(store, Role.moderator)
    pending = store.create(_report(), None, "c", NOW)
    approved = store.create(_report(), None, "c", NOW)
    store.set_status(approved.id, ReportStatus.approved, moderator, NOW)
    for final in (ReportStatus.rejected, ReportStatus.resolved):
        closed = store.create(_report(), None, "c", NOW)
        if final is ReportStatus.resolved:
            store.set_status(closed.id, ReportStatus.approved, moderator, NOW)
        store.set_status(closed.id, final, moderator, NOW)
    ended = store.create(_report(valid_until=NOW + timedelta(hours=1)), None, "c", NOW)
    coming = store.create(
        _report(valid_from=NOW + timedelta(days=5), valid_until=NOW + timedelta(days=6)),
        None,
        "c",
        NOW,
    )
    later = NOW + timedelta(hours=2)  # ``ended`` is over, though expire_due has not run
    live = [r.id for r in store.list(live_at=later)]
    assert live == [pending.id, approved.id, coming.id]
    assert ended.id in [r.id for r in store.list(live_at=NOW)]
    assert [r.id for r in store.list(live_at=later, status=ReportStatus.approved)] == [approved.id]


BAD_LISTINGS = [
    ({"limit": 0}, "limit must be 1..1000"),
    ({"limit": 1001}, "limit must be 1..1000"),
    ({"offset": -1}, "offset must be"),
    ({"bbox": (25.0, 60.1, 24.9, 60.2)}, "west <= east"),
    ({"bbox": (24.9, 60.1, 25.0, float("nan"))}, "bbox"),
    ({"bbox": (24.9, 60.1, 25.0)}, "four numbers"),
    ({"status": "lost"}, "unknown status"),
]


def test_list_refuses_bad_arguments(store: ReportStore) -> None:
    for arguments, words in BAD_LISTINGS:
        with pytest.raises(BadInput, match=words):
            store.list(**arguments)


TRICKY = [
    "<script>alert('x')</script> &amp; <b>bold</b>",
    "'); DROP TABLE reports; -- \" OR 1=1; SELECT * FROM api_keys",
    "снег на пандусе, вход закрыт; қар жауды",
    "🦽♿️ emoji 👩🏽‍🦯 and a zero-width joiner",
    "  leading and trailing spaces, tabs\tand\nnew\r\nlines  ",
    "%s %(name)s {0} {name} $1 ? :param \\x00 is text, not a NUL",
    "x" * 2000,
    "ж" * 2000,
]


def test_description_is_stored_exactly(store: ReportStore) -> None:
    ids = {}
    for description in TRICKY:
        report = store.create(_report(description=description), None, "c", NOW)
        assert report.description == description
        ids[report.id] = description
    with store.engine.connect() as connection:
        raw = dict(connection.execute(text("SELECT id, description FROM reports")).all())
    assert raw == ids  # byte for byte in the table, and the SQL-looking text did nothing
    for report_id, description in ids.items():
        fetched = store.get(report_id)
        assert fetched is not None
        assert fetched.description.encode("utf-8") == description.encode("utf-8")


def test_description_limits_are_in_the_model() -> None:
    with pytest.raises(ValueError, match="at most 2000 characters"):
        _report(description="x" * 2001)
    with pytest.raises(ValueError, match="NUL"):
        _report(description="a\x00b")
    with pytest.raises(ValueError, match=r"unicode|surrogate"):
        _report(description="a\ud800b")


def test_keys_are_stored_hashed(store: ReportStore) -> None:
    key, secret = store.create_key(Role.moderator, "night shift")
    assert (key.role, key.label) == (Role.moderator, "night shift")
    assert len(secret) >= 43  # 32 random bytes, url-safe
    assert store.key_for_secret(secret) == key
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM api_keys")).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored
    assert secret.split("_", 2)[2] not in stored  # not even the random part
    other_key, other = store.create_key(Role.reporter)
    assert store.key_for_secret(other) == other_key
    assert other != secret


def test_wrong_secrets_find_no_key(store: ReportStore) -> None:
    _, secret = store.create_key(Role.admin)
    prefix = secret[: len("sf_12345678_")]
    changed_last = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    guesses = [
        "",
        "sf_",
        "sf_00000000_x",
        f"Bearer {secret}",
        secret + "x",
        changed_last,
        prefix,
        prefix + "\ud800",  # not encodable: no key, no error
        prefix + "é" * 43,
        "x" * 500,
    ]
    for guess in guesses:
        assert store.key_for_secret(guess) is None, guess
    assert store.key_for_secret(secret) is not None


def test_create_key_refuses_unknown_role_and_long_label(store: ReportStore) -> None:
    with pytest.raises(BadInput, match="unknown role 'root'"):
        store.create_key("root")  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="at most 200"):
        store.create_key(Role.reporter, "x" * 201)


def test_client_id_is_checked(store: ReportStore) -> None:
    with pytest.raises(BadInput, match="client_id"):
        store.create(_report(), None, "", NOW)
    with pytest.raises(BadInput, match="client_id"):
        store.create(_report(), None, "x" * 129, NOW)

"""Barrier reports as values: types, statuses, roles, lifetimes and the rules between them.

Pure: no database here. The store (``stepfree.reports.store``) persists these values and the API
(``stepfree.api``) serialises them. Times are aware datetimes in UTC; a naive time from a client
is read as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stepfree.errors import BadInput, Conflict


class ReportType(StrEnum):
    """What a report is about; the same strings as ``stepfree.costing.overlay.REPORT_TYPES``."""

    kerb_raised = "kerb_raised"
    steps = "steps"
    construction = "construction"
    elevator_out_of_service = "elevator_out_of_service"
    snow_ice = "snow_ice"
    broken_surface = "broken_surface"
    obstacle = "obstacle"
    flooding = "flooding"
    other = "other"


class ReportStatus(StrEnum):
    """Where a report is in its life (see ``TRANSITIONS``)."""

    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    resolved = "resolved"
    expired = "expired"


class Role(StrEnum):
    """What an API key may do."""

    reporter = "reporter"
    moderator = "moderator"
    official = "official"
    admin = "admin"


#: How long a report stays valid when the reporter gives no end. Chosen from how long each kind
#: of barrier usually lasts in a city like Astana; a moderator or the reporter can always give
#: an explicit ``valid_until``, and a fixed barrier can be resolved earlier.
DEFAULT_LIFETIME: dict[ReportType, timedelta] = {
    ReportType.snow_ice: timedelta(days=3),  # cleared or melted within days, or re-reported
    ReportType.construction: timedelta(days=30),  # street works run for weeks
    ReportType.elevator_out_of_service: timedelta(days=7),  # a repair visit takes days
    ReportType.flooding: timedelta(days=2),  # drains within a day or two of the rain
    ReportType.obstacle: timedelta(days=3),  # parked cars, bins, scaffolding come and go
    ReportType.broken_surface: timedelta(days=30),  # repaved in the next works cycle
    ReportType.kerb_raised: timedelta(days=365),  # a kerb stays until it is rebuilt
    ReportType.steps: timedelta(days=365),  # steps are permanent; a year until re-checked
    ReportType.other: timedelta(days=7),  # unknown: short, so stale reports fall away
}

MAX_DESCRIPTION = 2000  # characters (Unicode code points) of plain text

#: Legal status changes. ``expired`` is reached through ``ReportStore.expire_due``.
TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    ReportStatus.pending: frozenset(
        {ReportStatus.approved, ReportStatus.rejected, ReportStatus.expired}
    ),
    ReportStatus.approved: frozenset(
        {ReportStatus.resolved, ReportStatus.rejected, ReportStatus.expired}
    ),
    ReportStatus.rejected: frozenset(),
    ReportStatus.resolved: frozenset(),
    ReportStatus.expired: frozenset(),
}
LIVE_STATUSES = (ReportStatus.pending, ReportStatus.approved)

#: Roles whose reports are published at once (moderators and admins could approve their own
#: report the next moment anyway); their reports carry the source "official".
PUBLISHING_ROLES = frozenset({Role.official, Role.moderator, Role.admin})

#: Times outside this range are refused as typos (a report is about the present).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_INT64 = 2**63 - 1  # OSM ids and database integers are 64-bit signed
MAX_CLIENT_ID = 128  # characters; the API passes a hash (64 hex characters for SHA-256)


def as_utc(moment: datetime, name: str = "time") -> datetime:
    """An aware UTC datetime; a naive one is read as UTC.

    Raises
    ------
    BadInput
        When the time lies outside 2000..2200 (a typo rather than a report).
    """
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    try:
        result: datetime | None = aware.astimezone(UTC)
    except OverflowError:
        result = None
    if result is None or not EARLIEST <= result < LATEST:
        raise BadInput(f"{name} {moment.isoformat()} is out of range; give a date in 2000..2199")
    return result


class ReportIn(BaseModel):
    """What a client submits: a type, exactly one place, an optional text and validity window."""

    model_config = ConfigDict(extra="forbid")

    type: ReportType
    lat: float | None = Field(None, ge=-90.0, le=90.0, allow_inf_nan=False, strict=True)
    lon: float | None = Field(None, ge=-180.0, le=180.0, allow_inf_nan=False, strict=True)
    osm_node_id: int | None = Field(None, gt=0, le=MAX_INT64, strict=True)
    osm_way_id: int | None = Field(None, gt=0, le=MAX_INT64, strict=True)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    @field_validator("description")
    @classmethod
    def _storable(cls, text: str) -> str:
        # Stored exactly as given; only what no database can hold is refused: NUL (PostgreSQL
        # text cannot contain it) and lone surrogates (not encodable as UTF-8).
        if "\x00" in text:
            raise ValueError("description contains a NUL character; remove it")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("description is not valid Unicode text (a lone surrogate)") from None
        return text


class Report(BaseModel):
    """A stored report, as the store returns it and the API serialises it."""

    # served as exactly these members: the API's schema says so (additionalProperties: false)
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"additionalProperties": False}
    )

    id: int
    type: ReportType
    lat: float | None
    lon: float | None
    osm_node_id: int | None
    osm_way_id: int | None
    description: str
    valid_from: datetime
    valid_until: datetime
    status: ReportStatus
    confirmations: int
    source: str  # "official" | "reporter" | "anonymous"
    created_at: datetime
    updated_at: datetime


class KeyStatus(StrEnum):
    """Whether a key works: ``active``, or past its ``expires_at``, or revoked (for good)."""

    active = "active"
    expired = "expired"
    revoked = "revoked"


class ApiKey(BaseModel):
    """An API key without its secret (the secret is shown once, at creation or rotation)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    role: Role
    label: str
    created_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    rotated_at: datetime | None = None
    #: After a rotation with a grace period: until when the old secret still works.
    previous_until: datetime | None = None

    def status(self, now: datetime) -> KeyStatus:
        """The key's status at ``now`` (revocation wins over expiry)."""
        if self.revoked_at is not None:
            return KeyStatus.revoked
        if self.expires_at is not None and self.expires_at <= as_utc(now, "now"):
            return KeyStatus.expired
        return KeyStatus.active


def check_place(data: ReportIn) -> None:
    """Exactly one place: a point (lat and lon), an OSM node id or an OSM way id.

    Raises
    ------
    BadInput
        Naming what was given and what to give instead.
    """
    if (data.lat is None) != (data.lon is None):
        raise BadInput("a point needs both lat and lon; give both, or an osm_node_id/osm_way_id")
    given = [
        name
        for name, present in (
            ("lat/lon", data.lat is not None),
            ("osm_node_id", data.osm_node_id is not None),
            ("osm_way_id", data.osm_way_id is not None),
        )
        if present
    ]
    if len(given) != 1:
        what = " and ".join(given) if given else "no place"
        raise BadInput(
            f"a report needs exactly one place, got {what}; "
            "give lat/lon, or osm_node_id, or osm_way_id"
        )


def validity_window(data: ReportIn, now: datetime) -> tuple[datetime, datetime]:
    """The report's (valid_from, valid_until) in UTC, filling the type's default lifetime.

    Raises
    ------
    BadInput
        When the window is empty, already over or out of range.
    """
    now = as_utc(now, "now")
    start = as_utc(data.valid_from, "valid_from") if data.valid_from is not None else now
    if data.valid_until is None:
        until = start + DEFAULT_LIFETIME[data.type]
        if until >= LATEST:
            raise BadInput(f"valid_from {start.isoformat()} is too far ahead; give an earlier one")
    else:
        until = as_utc(data.valid_until, "valid_until")
    if until <= start:
        raise BadInput(
            f"valid_until ({until.isoformat()}) must be after valid_from ({start.isoformat()})"
        )
    if until <= now:
        raise BadInput(f"valid_until ({until.isoformat()}) is already past; the report is over")
    return start, until


def check_transition(report_id: int, current: ReportStatus, target: ReportStatus) -> None:
    """Raise ``Conflict`` unless ``current -> target`` is a legal status change."""
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "nothing (final)"
        raise Conflict(
            f"report {report_id} is {current} and cannot become {target}; "
            f"from {current} it can become: {allowed}"
        )


def valid_id(report_id: int) -> bool:
    """Whether an id can exist (ids beyond 64 bits would overflow the driver, not miss)."""
    return isinstance(report_id, int) and 0 < report_id <= MAX_INT64


def parse_status(status: ReportStatus | str) -> ReportStatus:
    """A status from its name, or ``BadInput`` listing the names."""
    try:
        return ReportStatus(status)
    except ValueError:
        names = ", ".join(s.value for s in ReportStatus)
        raise BadInput(f"unknown status {status!r}; choose one of {names}") from None


def check_client_id(client_id: str) -> None:
    """A client id is a short non-empty string (a hash of a key id or an address)."""
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID:
        raise BadInput(f"client_id must be 1..{MAX_CLIENT_ID} characters (a hash)")


def check_bbox(bbox: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees, or ``BadInput`` saying what is wrong."""
    try:
        west, south, east, north = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise BadInput("bbox must be four numbers: west,south,east,north") from None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):  # false for NaN too
        raise BadInput(
            f"bbox {tuple(bbox)} must be west,south,east,north in degrees with west <= east "
            "and south <= north"
        )
    return west, south, east, north

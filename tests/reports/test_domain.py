"""The report domain: names shared with routing, lifetimes, transitions, request validation."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

import stepfree.reports
from stepfree.costing.overlay import EFFECTS, REPORT_TYPES
from stepfree.errors import BadInput, Conflict, NotFound, StepfreeError
from stepfree.reports import (
    DEFAULT_LIFETIME,
    MAX_DESCRIPTION,
    ReportIn,
    ReportStatus,
    ReportType,
    Role,
)
from stepfree.reports.domain import TRANSITIONS, as_utc, check_transition, validity_window

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def test_public_names() -> None:
    # (the order of __all__ is ruff's isort-style order, checked by `ruff check`)
    assert set(stepfree.reports.__all__) == {
        "DEFAULT_LIFETIME",
        "MAX_DESCRIPTION",
        "ApiKey",
        "Conflict",
        "NotFound",
        "Report",
        "ReportIn",
        "ReportStatus",
        "ReportStore",
        "ReportType",
        "Role",
        "overlay_from_reports",
        "reports_csv",
        "reports_from_geojson",
        "reports_geojson",
    }


def test_types_are_the_ones_routing_knows() -> None:
    assert sorted(t.value for t in ReportType) == sorted(REPORT_TYPES)
    assert set(EFFECTS) == set(ReportType)
    assert set(DEFAULT_LIFETIME) == set(ReportType)
    assert DEFAULT_LIFETIME[ReportType.snow_ice] == timedelta(days=3)
    assert DEFAULT_LIFETIME[ReportType.construction] == timedelta(days=30)
    assert all(
        timedelta(days=1) <= life <= timedelta(days=365) for life in DEFAULT_LIFETIME.values()
    )
    assert [s.value for s in ReportStatus] == [
        "pending",
        "approved",
        "rejected",
        "resolved",
        "expired",
    ]
    assert [r.value for r in Role] == ["reporter", "moderator", "official", "admin"]
    assert MAX_DESCRIPTION == 2000


def test_error_types_map_cleanly() -> None:
    assert issubclass(NotFound, LookupError)
    assert issubclass(Conflict, StepfreeError)
    assert not issubclass(Conflict, ValueError)  # never mistaken for BadInput (422)


def test_transition_table() -> None:
    allowed = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("pending", "approved"),
        ("pending", "rejected"),
        ("pending", "expired"),
        ("approved", "resolved"),
        ("approved", "rejected"),
        ("approved", "expired"),
    }
    with pytest.raises(Conflict, match="report 3 is rejected and cannot become approved"):
        check_transition(3, ReportStatus.rejected, ReportStatus.approved)


@pytest.mark.parametrize(
    "fields",
    [
        {"lat": 91.0, "lon": 0.0},
        {"lat": -90.5, "lon": 0.0},
        {"lat": 0.0, "lon": 180.5},
        {"lat": math.nan, "lon": 0.0},
        {"lat": 0.0, "lon": math.inf},
        {"osm_node_id": 0},
        {"osm_way_id": -4},
        {"osm_way_id": 2**64},
        {"osm_node_id": True},  # no bools or strings read as numbers
        {"osm_way_id": "7"},
        {"lat": True, "lon": 1.0},
        {"lat": 1.0, "lon": 1.0, "colour": "red"},  # unknown field
        {"lat": 1.0, "lon": 1.0, "description": "x" * 2001},
        {"lat": 1.0, "lon": 1.0, "description": "nul\x00"},
        {"lat": 1.0, "lon": 1.0, "valid_from": "yesterday"},
    ],
)
def test_request_model_refuses(fields: dict) -> None:
    with pytest.raises(ValidationError):
        ReportIn.model_validate({"type": "steps", **fields})


def test_request_model_accepts_the_limits() -> None:
    for lat, lon in ((90.0, 180.0), (-90.0, -180.0)):
        assert ReportIn(type="steps", lat=lat, lon=lon).lat == lat
    text = "ж" * MAX_DESCRIPTION
    assert ReportIn(type="steps", osm_way_id=2**63 - 1, description=text).description == text
    with pytest.raises(ValidationError):
        ReportIn.model_validate({"type": "lava", "lat": 1.0, "lon": 1.0})


def test_times_in_utc() -> None:
    assert as_utc(datetime(2030, 1, 1)) == datetime(2030, 1, 1, tzinfo=UTC)
    plus6 = datetime(2030, 1, 1, 6, tzinfo=timezone(timedelta(hours=6)))
    assert as_utc(plus6) == datetime(2030, 1, 1, tzinfo=UTC)
    with pytest.raises(BadInput, match="out of range"):
        as_utc(datetime.min)
    with pytest.raises(BadInput, match="out of range"):
        as_utc(datetime.max.replace(tzinfo=timezone(timedelta(hours=-5))))  # overflows


def test_validity_window_defaults_from_now_or_from_start() -> None:
    start, until = validity_window(ReportIn(type="construction", lat=1, lon=1), NOW)
    assert (start, until) == (NOW, NOW + timedelta(days=30))
    later = NOW + timedelta(days=5)
    data = ReportIn(type="flooding", lat=1, lon=1, valid_from=later)
    assert validity_window(data, NOW) == (later, later + timedelta(days=2))
    past = ReportIn(type="steps", lat=1, lon=1, valid_from=NOW - timedelta(days=400))
    with pytest.raises(BadInput, match="already past"):
        validity_window(past, NOW)

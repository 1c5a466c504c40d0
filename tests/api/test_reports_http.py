"""Barrier reports over real HTTP: creation, moderation by role, listing, exports, and the
issue's end-to-end: a report created, approved and then expired changes and restores a route."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

ORIGIN = "60.1675,24.9365"  # two points in central Helsinki, about 1 km apart by the streets
DESTINATION = "60.1710,24.9450"
SQUARE = {"lat": 60.16990, "lon": 24.94130}  # a point on a footway near the railway station
SQUARE_BOX = "24.9400,60.1690,24.9425,60.1708"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def post(server, path: str, body: object = None, secret: str | None = None) -> httpx.Response:
    headers = bearer(secret) if secret else {}
    return httpx.post(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def get(server, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, timeout=30)


def report(server, secret: str | None = None, **fields: object) -> dict:
    response = post(server, "/v1/reports", {"type": "obstacle", **SQUARE, **fields}, secret)
    assert response.status_code == 201, response.text
    return response.json()


def test_anonymous_report_is_pending_and_its_text_comes_back_as_given(server) -> None:
    text = '<script>alert("x")</script> Бордюр высокий; DROP TABLE reports; --\n\u200bend'
    created = report(server, description=text)
    assert created["status"] == "pending"
    assert created["source"] == "anonymous"
    assert created["description"] == text
    fetched = get(server, f"/v1/reports/{created['id']}")
    assert fetched.json() == created
    assert fetched.headers["content-type"] == "application/json"
    assert fetched.headers["x-content-type-options"] == "nosniff"
    assert fetched.headers["content-security-policy"] == "default-src 'none'"
    # the window is the type's default lifetime (obstacle: 3 days)
    start = datetime.fromisoformat(created["valid_from"])
    assert datetime.fromisoformat(created["valid_until"]) - start == timedelta(days=3)


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ({"type": "obstacle", "osm_way_id": 1}, "osm_way_id 1"),
        ({"type": "obstacle", "lat": 60.30, "lon": 24.94}, "outside this graph"),
        ({"type": "obstacle", "lat": 60.1675, "lon": 24.9300}, "more than 50 m"),
        ({"type": "obstacle", **SQUARE, "osm_way_id": 23653323}, "exactly one place"),
        ({"type": "obstacle"}, "exactly one place"),
        ({"type": "pothole", **SQUARE}, "type"),
        ({"type": "obstacle", **SQUARE, "colour": "red"}, "unknown field 'colour'"),
        ({"type": "obstacle", **SQUARE, "description": "x" * 2001}, "description"),
        ({"type": "obstacle", **SQUARE, "valid_until": "2001-01-01T00:00Z"}, "valid_until"),
    ],
)
def test_bad_reports_are_422_naming_the_problem(server, body, names) -> None:
    response = post(server, "/v1/reports", body)
    assert response.status_code == 422, response.text
    assert names in response.json()["error"]["message"]


def test_moderation_needs_a_key_of_the_right_role(server, keys) -> None:
    created = report(server)
    approve = f"/v1/reports/{created['id']}/approve"
    missing = post(server, approve)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "moderator" in missing.json()["error"]["message"]
    assert post(server, approve, secret="sf_00000000_not-a-key").status_code == 401
    malformed = httpx.post(f"{server.url}{approve}", headers={"Authorization": "Basic eDp5"})
    assert malformed.status_code == 401
    for role in ("reporter", "official"):
        wrong = post(server, approve, secret=keys[role])
        assert wrong.status_code == 403, role
        assert wrong.json()["error"]["code"] == "forbidden"
    assert (
        post(server, f"/v1/reports/{created['id']}/resolve", secret=keys["reporter"]).status_code
        == 403
    )
    approved = post(server, approve, secret=keys["moderator"])
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    again = post(server, approve, secret=keys["admin"])
    assert again.status_code == 409
    assert "approved" in again.json()["error"]["message"]
    resolved = post(server, f"/v1/reports/{created['id']}/resolve", secret=keys["official"])
    assert resolved.json()["status"] == "resolved"
    assert (
        post(server, f"/v1/reports/{created['id']}/reject", secret=keys["moderator"]).status_code
        == 409
    )
    assert (
        post(server, "/v1/reports/987654321/approve", secret=keys["moderator"]).status_code == 404
    )
    assert get(server, "/v1/reports/987654321").status_code == 404
    assert get(server, "/v1/reports/0").status_code == 422


def test_official_keys_publish_and_confirmations_publish_the_rest(server, keys) -> None:
    official = report(server, keys["official"])
    assert (official["status"], official["source"]) == ("approved", "official")
    pending = report(server, keys["reporter"])
    assert pending["source"] == "reporter"
    confirm = f"/v1/reports/{pending['id']}/confirm"
    # the same client confirming twice counts once; three independent clients publish it
    assert post(server, confirm).json()["confirmations"] == 1
    assert post(server, confirm).json()["confirmations"] == 1
    assert post(server, confirm, secret=keys["moderator"]).json()["confirmations"] == 2
    last = post(server, confirm, secret=keys["admin"]).json()
    assert (last["confirmations"], last["status"]) == (3, "approved")


def test_admins_create_keys_and_the_secret_works(server, keys) -> None:
    body = {"role": "reporter", "label": "city app"}
    assert post(server, "/v1/keys", body).status_code == 401
    assert post(server, "/v1/keys", body, keys["moderator"]).status_code == 403
    created = post(server, "/v1/keys", body, keys["admin"])
    assert created.status_code == 201
    assert created.json()["role"] == "reporter"
    assert created.json()["label"] == "city app"
    assert report(server, created.json()["secret"])["source"] == "reporter"
    assert post(server, "/v1/keys", {"role": "emperor"}, keys["admin"]).status_code == 422


def test_listing_by_box_and_status_and_exports(server) -> None:
    text = 'kerb, "high" one'
    created = report(server, description=text)
    found = get(server, "/v1/reports", bbox=SQUARE_BOX, status="pending", limit=500).json()
    assert created["id"] in [r["id"] for r in found["reports"]]
    elsewhere = get(server, "/v1/reports", bbox="24.950,60.175,24.952,60.176").json()
    assert elsewhere["reports"] == []
    assert elsewhere["next_offset"] is None
    geojson = get(server, "/v1/reports.geojson", bbox=SQUARE_BOX, limit=500)
    assert geojson.headers["content-type"] == "application/geo+json"
    feature = next(f for f in geojson.json()["features"] if f["id"] == created["id"])
    assert feature["geometry"] == {"type": "Point", "coordinates": [SQUARE["lon"], SQUARE["lat"]]}
    exported = get(server, "/v1/reports.csv", bbox=SQUARE_BOX, limit=500)
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert any(text in row["text"] for row in rows)
    page = get(server, "/v1/reports", limit=1, offset=0).json()
    assert len(page["reports"]) == 1
    assert page["next_offset"] == 1


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"bbox": "24,60,25,61"}, "max_bbox_km2"),
        ({"limit": 501}, "max_page_size"),
        ({"bbox": "north"}, "W,S,E,N"),
        ({"status": "lost"}, "status"),
        ({"at": "noon"}, "ISO-8601"),
        ({"sort": "id"}, "unknown query parameter 'sort'"),
    ],
)
def test_listing_limits_are_422_naming_the_limit(server, params, names) -> None:
    response = get(server, "/v1/reports", **params)
    assert response.status_code == 422
    assert names in response.json()["error"]["message"]


def _route(server, **extra: str) -> dict:
    response = get(server, "/v1/route", **{"from": ORIGIN, "to": DESTINATION, **extra})
    assert response.status_code in (200, 404), response.text
    return response.json()


def test_a_report_created_approved_and_expired_changes_and_restores_a_route(server, keys) -> None:
    before = _route(server)
    ways = before["osm_way_ids"]
    way = ways[len(ways) // 2]  # a way in the middle of the route, not where it starts
    until = datetime.now(UTC) + timedelta(seconds=5)
    created = report(
        server,
        type="construction",
        lat=None,
        lon=None,
        osm_way_id=way,
        valid_until=until.isoformat(),
        description="street works",
    )
    assert created["status"] == "pending"
    assert _route(server)["osm_way_ids"] == ways  # a pending report does not route anyone

    approved = post(server, f"/v1/reports/{created['id']}/approve", secret=keys["moderator"])
    assert approved.json()["status"] == "approved"
    during = _route(server)  # the very next request sees it
    assert during["route"] is not None
    assert way not in during["osm_way_ids"]
    assert during["reports"] == [
        {"report_id": created["id"], "type": "construction", "effect": "forbid"}
    ]
    # a trip planned for after the window sees the street open again
    later = _route(server, at=(until + timedelta(minutes=1)).isoformat())
    assert later["osm_way_ids"] == ways
    assert later["reports"] == []

    time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.3)
    after = _route(server)
    assert after["osm_way_ids"] == ways
    assert after["reports"] == []
    # and the service's periodic expiry marked it expired in the store
    deadline = time.monotonic() + 10
    while get(server, f"/v1/reports/{created['id']}").json()["status"] != "expired":
        assert time.monotonic() < deadline, "the report was never expired"
        time.sleep(0.1)
    assert _route(server)["osm_way_ids"] == ways


def test_the_csv_export_has_a_status_column_and_sends_live_reports_by_default(server, keys) -> None:
    pending = report(server)
    approved = report(server, keys["official"])
    rejected = report(server)
    assert post(server, f"/v1/reports/{rejected['id']}/reject", secret=keys["moderator"]).is_success
    resolved = report(server, keys["official"])
    assert post(server, f"/v1/reports/{resolved['id']}/resolve", secret=keys["official"]).is_success

    def exported(**params: object) -> dict[int, str]:
        response = get(server, "/v1/reports.csv", bbox=SQUARE_BOX, limit=500, **params)
        assert response.status_code == 200, response.text
        rows = csv.DictReader(io.StringIO(response.text, newline=""))
        return {int(row["text"].split("#")[1].split(" ")[0]): row["status"] for row in rows}

    live = exported()
    assert live[pending["id"]] == "pending"
    assert live[approved["id"]] == "approved"
    assert rejected["id"] not in live
    assert resolved["id"] not in live
    assert set(live.values()) <= {"pending", "approved"}
    for closed, final in ((rejected, "rejected"), (resolved, "resolved")):
        only = exported(status=final)
        assert only[closed["id"]] == final
        assert set(only.values()) == {final}
    schema = get(server, "/openapi.json").json()
    described = schema["paths"]["/v1/reports.csv"]["get"]
    assert "live reports" in described["description"]
    (status_param,) = [p for p in described["parameters"] if p["name"] == "status"]
    assert "pending and approved" in status_param["description"]


def test_a_time_without_an_offset_is_the_citys_local_time(server) -> None:
    """One meaning of a naive time in every endpoint (issue 10, item 3): the served city's
    local time (Helsinki: UTC+2 in winter), as in /v1/route; it was read as UTC here."""
    created = report(
        server, valid_from="2031-01-10T10:00", valid_until="2031-01-10T12:00", type="obstacle"
    )
    assert created["valid_from"].startswith("2031-01-10T08:00")  # stored in UTC
    assert created["valid_until"].startswith("2031-01-10T10:00")
    listed = get(server, "/v1/reports", at="2031-01-10T11:30", bbox=SQUARE_BOX).json()
    assert created["id"] in [r["id"] for r in listed["reports"]]
    # 11:30 UTC is 13:30 in Helsinki, after the window
    later = get(server, "/v1/reports", at="2031-01-10T11:30Z", bbox=SQUARE_BOX).json()
    assert created["id"] not in [r["id"] for r in later["reports"]]

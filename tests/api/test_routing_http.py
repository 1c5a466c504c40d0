"""Routing over real HTTP: the CLI's JSON answer, 404 with reasons, 422 naming the problem."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

ORIGIN = "60.1675,24.9365"  # two points in central Helsinki, about 1 km apart by the streets
DESTINATION = "60.1710,24.9450"


def get(server, path: str, **params: object) -> httpx.Response:
    return httpx.get(f"{server.url}{path}", params=params, timeout=30)


def test_the_same_request_gets_the_same_bytes(server) -> None:
    query = {"from": ORIGIN, "to": DESTINATION, "profile": "walker", "at": "2026-03-01T10:00"}
    first, second = (get(server, "/v1/route", **query) for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    made = first.json()["provenance"]
    assert made["reports_version"] == "r0"
    assert made["profile"]["preset"] == "walker"


def test_a_decimal_comma_is_a_decimal_point(server) -> None:
    query = {"from": ORIGIN, "to": DESTINATION, "at": "2026-03-01T10:00"}
    comma = get(server, "/v1/route", **query, max_kerb_height_m="0,04")
    point = get(server, "/v1/route", **query, max_kerb_height_m="0.04")
    assert comma.status_code == point.status_code == 200
    assert comma.content == point.content


def test_a_refused_route_is_the_error_shape_with_why_inside(server) -> None:
    query = {
        "from": "60.1699,24.9384",
        "to": "60.1719,24.9414",
        "profile": "manual_wheelchair",
        "unknown_width": "forbid",
        "at": "2026-03-01T10:00",
    }
    response = get(server, "/v1/route", **query)
    assert response.status_code == 404
    body = response.json()
    assert body["error"]["code"] == "no_usable_way"
    assert body["error"]["blocked_by"][0]["attribute"] == "access_m"
    assert {r["parameter"] for r in body["error"]["relax"]} >= {"unknown_width"}
    assert body["error"]["provenance"]["profile"]["changed"] == {"unknown_width": "forbid"}
    assert set(body) == {"error"}  # the one error shape
    iso_query = {k: v for k, v in query.items() if k != "to"}
    iso = get(server, "/v1/isochrone", **iso_query, minutes="5")
    assert iso.status_code == 404
    assert iso.json()["error"]["blocked_by"][0]["attribute"] == "access_m"


def test_route_is_the_json_of_the_cli(server, graph_file) -> None:
    at = "2026-01-15T08:30"
    query = {"from": ORIGIN, "to": DESTINATION, "lang": "kk", "at": at}
    response = get(server, "/v1/route", **query)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepfree",
            "route",
            "--graph",
            str(graph_file),
            "--from",
            ORIGIN,
            "--to",
            DESTINATION,
            "--lang",
            "kk",
            "--at",
            at,
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=server.env,
    )
    served, printed = response.json(), json.loads(cli.stdout)
    # the one difference: the service names its store's revision, the CLI that it has none
    assert served["provenance"].pop("reports_version") == "r0"
    assert printed["provenance"].pop("reports_version") == "empty"
    assert served == printed
    body = response.json()
    assert body["route"]["geometry"]["type"] == "LineString"
    assert body["summary"]["length_m"] > 500
    assert body["lang"] == "kk"
    assert body["instructions"]


def test_a_profile_parameter_in_the_query_changes_the_answer(server) -> None:
    ends = {"from": ORIGIN, "to": DESTINATION, "profile": "manual_wheelchair"}
    assert get(server, "/v1/route", **ends).status_code == 200
    refused = get(server, "/v1/route", **ends, unknown_kerb="forbid")
    assert refused.status_code == 404
    body = refused.json()["error"]
    assert body["code"] == "no_route"
    assert any(b["attribute"] == "unknown_kerb" for b in body["blocked_by"])
    assert body["relax"][0]["parameter"] == "unknown_kerb"
    assert "unknown_kerb" in body["relax"][0]["text"]


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"from": "60.1675", "to": DESTINATION}, "origin"),
        ({"from": ORIGIN, "to": "91,24.9"}, "latitude -90..90"),
        ({"from": "Helsinki", "to": DESTINATION}, "LAT,LON"),
        ({"from": ORIGIN, "to": DESTINATION, "profile": "skater"}, "unknown profile 'skater'"),
        ({"from": ORIGIN, "to": DESTINATION, "max_kerb_height_m": "2"}, "from 0 to 1 m"),
        ({"from": ORIGIN, "to": DESTINATION, "max_kerb_hieght_m": "0"}, "'max_kerb_hieght_m'"),
        ({"from": ORIGIN, "to": DESTINATION, "lang": "de"}, "unknown language 'de'"),
        ({"from": ORIGIN, "to": DESTINATION, "at": "tomorrow"}, "ISO-8601"),
        ({"from": ORIGIN, "to": "60.40,24.94"}, "max_route_km"),
        ({"from": ORIGIN}, "to is required"),
        ({"from": "0,0", "to": "0.001,0.001"}, "outside this graph's network"),
    ],
)
def test_bad_requests_are_422_naming_the_problem(server, params, names) -> None:
    response = get(server, "/v1/route", **params)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert names in error["message"]
    assert "\n" not in error["message"]
    assert set(error) == {"code", "message"}


def test_profiles_list_and_parameter_tables(server) -> None:
    names = [p["name"] for p in get(server, "/v1/profiles").json()]
    assert {"manual_wheelchair", "blind", "pedestrian"} <= set(names)
    table = get(server, "/v1/profiles/manual_wheelchair").json()
    kerb = next(row for row in table["parameters"] if row["parameter"] == "max_kerb_height_m")
    assert (kerb["minimum"], kerb["maximum"], kerb["unit"]) == (0, 1, "m")
    assert table["sources"]
    missing = get(server, "/v1/profiles/skater")
    assert missing.status_code == 404
    assert "manual_wheelchair" in missing.json()["error"]["message"]


def test_coverage_and_health(server) -> None:
    coverage = get(server, "/v1/coverage").json()
    health = get(server, "/v1/health").json()
    assert health["status"] == "ok"
    assert health["db"] is True
    assert health["graph"]["nodes"] > 1000
    assert json.dumps(coverage)  # the inspect report: counts and shares
    assert coverage == get(server, "/v1/coverage").json()  # computed once, same answer


def test_isochrone_nests_and_is_limited(server) -> None:
    response = get(server, "/v1/isochrone", **{"from": ORIGIN, "minutes": "1,2"})
    assert response.status_code == 200, response.text
    features = response.json()["features"]
    assert [f["properties"]["minutes"] for f in features] == [1, 2]
    assert (
        features[0]["properties"]["reached_length_m"]
        < features[1]["properties"]["reached_length_m"]
    )
    too_long = get(server, "/v1/isochrone", **{"from": ORIGIN, "minutes": "45"})
    assert too_long.status_code == 422
    assert "max_isochrone_minutes" in too_long.json()["error"]["message"]
    too_many = get(server, "/v1/isochrone", **{"from": ORIGIN, "minutes": "1,2,3,4,5,6,7"})
    assert "max_isochrone_thresholds" in too_many.json()["error"]["message"]


def test_openapi_schema_and_docs_page(server) -> None:
    schema = get(server, "/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/v1/route",
        "/v1/isochrone",
        "/v1/profiles",
        "/v1/coverage",
        "/v1/reports",
        "/v1/reports/{report_id}",
        "/v1/reports/{report_id}/approve",
        "/v1/keys",
        "/v1/health",
        "/v1/reports.geojson",
        "/v1/reports.csv",
    ):
        assert path in paths
    route_params = {p["name"] for p in paths["/v1/route"]["get"]["parameters"]}
    assert {
        "from",
        "to",
        "profile",
        "lang",
        "at",
        "max_kerb_height_m",
        "unknown_kerb",
    } <= route_params
    assert "HTTPBearer" in schema["components"]["securitySchemes"]
    docs = get(server, "/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_unknown_path_and_method_use_the_error_model(server) -> None:
    missing = get(server, "/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = httpx.delete(f"{server.url}/v1/route", timeout=10)
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


def test_isochrone_without_a_usable_way_is_404_saying_so(server) -> None:
    params = {"from": ORIGIN, "minutes": "1", "min_width_m": "5", "unknown_width": "forbid"}
    response = get(server, "/v1/isochrone", **params)
    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert error["code"] == "no_usable_way"
    assert error["message"] == "No route fits your profile."
    assert "from the nearest way your profile can use" in error["blocked_by"][0]["text"]

"""The OpenAPI document says what the server does, checked over real HTTP on loopback.

Security as the server applies it, the statuses and media types it answers, empty values it
refuses, one error model in our own words, health for load balancers, repeated parameters,
CORS headers a page may read, and a docs page that loads nothing from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from stepfree.api.errors import MAX_MESSAGE_CHARS
from stepfree.api.openapi import OPTIONAL, REQUIRED

ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def document(http: httpx.Client) -> dict:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


# --- security as the server applies it ------------------------------------------------------


def test_a_key_is_declared_required_only_where_the_server_requires_one(
    document: dict, http: httpx.Client, keys: dict[str, str]
) -> None:
    declared = {(m, p): op.get("security") for m, p, op in operations(document)}
    required = {k for k, v in declared.items() if v == REQUIRED}
    assert required == {
        ("GET", "/v1/audit"),
        ("GET", "/v1/keys"),
        ("POST", "/v1/keys"),
        ("POST", "/v1/keys/{key_id}/expiry"),
        ("POST", "/v1/keys/{key_id}/revoke"),
        ("POST", "/v1/keys/{key_id}/rotate"),
        ("POST", "/v1/reports/{report_id}/approve"),
        ("POST", "/v1/reports/{report_id}/reject"),
        ("POST", "/v1/reports/{report_id}/resolve"),
    }
    for key in [("GET", "/v1/route"), ("GET", "/v1/profiles"), ("GET", "/v1/coverage"),
                ("GET", "/v1/reports"), ("POST", "/v1/reports")]:  # fmt: skip
        assert declared[key] == OPTIONAL, key
    assert declared[("GET", "/v1/health")] is None
    # ... and the server agrees: anonymous where optional, 401 without a key where required
    assert http.get("/v1/profiles").status_code == 200
    assert http.get("/v1/coverage").status_code == 200
    assert http.get("/v1/reports", params={"limit": 1}).status_code == 200
    anonymous = http.post("/v1/reports/1/approve")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    reporter = {"Authorization": f"Bearer {keys['reporter']}"}
    assert http.post("/v1/keys", json={"role": "admin"}, headers=reporter).status_code == 403


def test_a_malformed_authorization_header_is_a_documented_401(
    document: dict, http: httpx.Client
) -> None:
    for method, path, operation in operations(document):
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)
            ref = operation["responses"]["401"]["content"]["application/json"]["schema"]["$ref"]
            assert ref == ERROR_REF
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-key"):
        answer = http.get("/v1/profiles", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.headers["www-authenticate"] == "Bearer"
        assert set(answer.json()) == {"error"}


# --- bodies that are not JSON -------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b"{bad", b"\xff\xfe{}", b"", b"[1, 2", b'{"type": "steps"'], ids=repr
)
def test_a_body_that_is_not_json_is_always_400(
    document: dict, http: httpx.Client, body: bytes
) -> None:
    assert "400" in document["paths"]["/v1/reports"]["post"]["responses"]
    answer = http.post("/v1/reports", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == (422 if body == b"" else 400), answer.text
    assert set(answer.json()) == {"error"}
    if body:
        assert "not JSON" in answer.json()["error"]["message"]


# --- media types and empty values ---------------------------------------------------------


def test_geojson_export_is_documented_as_it_is_served(document: dict, http: httpx.Client) -> None:
    content = document["paths"]["/v1/reports.geojson"]["get"]["responses"]["200"]["content"]
    answer = http.get("/v1/reports.geojson")
    assert answer.status_code == 200
    assert list(content) == [answer.headers["content-type"].split(";")[0]]
    assert list(content) == ["application/geo+json"]


@pytest.mark.parametrize(
    ("path", "name", "others"),
    [
        ("/v1/isochrone", "minutes", {"from": "60.1699,24.9384"}),
        ("/v1/isochrone", "at", {"from": "60.1699,24.9384", "minutes": "1"}),
        ("/v1/route", "at", {"from": "60.1699,24.9384", "to": "60.1719,24.9414"}),
        ("/v1/route", "from", {"to": "60.1719,24.9414"}),
        ("/v1/reports", "bbox", {}),
        ("/v1/reports", "at", {}),
        ("/v1/reports.csv", "bbox", {}),
    ],
)
def test_an_empty_value_the_server_refuses_is_refused_by_the_schema(
    document: dict, http: httpx.Client, path: str, name: str, others: dict[str, str]
) -> None:
    parameter = next(p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name)
    schema = parameter["schema"]
    strings = [b for b in [schema, *schema.get("anyOf", ())] if b.get("type") == "string"]
    assert strings
    assert all(b.get("minLength") == 1 for b in strings), parameter
    answer = http.get(path, params={**others, name: ""})
    assert answer.status_code == 422, answer.text


# --- one error model, in our words ------------------------------------------------------------


def test_every_documented_error_is_the_error_model(document: dict) -> None:
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if int(status) < 400 or path == "/v1/health":
                continue  # health's 503 is its report
            schema = response["content"]["application/json"]["schema"]
            if (path, status) in {("/v1/route", "404"), ("/v1/isochrone", "404")}:
                # a refusal: the error model, with what blocks the way and what would open it
                assert schema == {"$ref": "#/components/schemas/RefusalResponse"}
                refusal = document["components"]["schemas"]["Refusal"]
                assert {"code", "message", "blocked_by", "relax"} <= set(refusal["properties"])
                continue
            assert schema == {"$ref": ERROR_REF}, (method, path, status)
    body = document["components"]["schemas"]["ErrorBody"]
    assert body["additionalProperties"] is False  # a refusal is a type of its own (Refusal)
    assert body["properties"]["message"]["maxLength"] == MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("request_args", "words"),
    [
        (("GET", "/v1/reports", {"params": {"limit": "abc"}}), "limit must be a whole number"),
        (("GET", "/v1/reports", {"params": {"limit": "0"}}), "limit must be 1 or more"),
        (("GET", "/v1/reports/xyz", {}), "report_id must be a whole number"),
        (("GET", "/v1/reports", {"params": {"status": "gone"}}), "status must be one of"),
        (
            ("POST", "/v1/reports", {"json": {"type": "steps", "lat": "x", "lon": 24.9}}),
            "lat must be a number",
        ),
        (
            ("POST", "/v1/reports", {"json": {"type": "nope", "lat": 60.17, "lon": 24.94}}),
            "type must be one of",
        ),
        (("POST", "/v1/reports", {"json": [1, 2]}), "must be a JSON object"),
        (
            ("POST", "/v1/keys", {"json": {"role": "admin", "label": "x" * 300}}),
            "label must have at most 200 characters",
        ),
    ],
)
def test_validation_errors_are_our_sentences(
    http: httpx.Client, keys: dict[str, str], request_args: tuple, words: str
) -> None:
    method, path, options = request_args
    headers = {"Authorization": f"Bearer {keys['admin']}"}
    answer = http.request(method, path, headers=headers, **options)
    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert words in message
    assert "Input should be" not in message  # pydantic's text
    assert "unable to parse" not in message


def test_error_messages_are_bounded(http: httpx.Client) -> None:
    long_name = "x" * 5000
    answer = http.get("/v1/profiles", params={long_name: "1"})
    assert answer.status_code == 422
    assert len(answer.json()["error"]["message"]) <= MAX_MESSAGE_CHARS
    many = {f"field{i}": i for i in range(40)}
    answer = http.post("/v1/reports", json={"type": "steps", **many})
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert len(message) <= MAX_MESSAGE_CHARS
    assert "more" in message


# --- health, repeated and unknown parameters ------------------------------------------------


def test_health_answers_head_and_ignores_query_parameters(
    document: dict, http: httpx.Client
) -> None:
    head = http.head("/v1/health")
    assert head.status_code == 200
    assert head.content == b""
    assert "head" in document["paths"]["/v1/health"]
    probe = http.get("/v1/health", params={"probe": "lb-1", "ts": "1"})
    assert probe.status_code == 200
    assert probe.json()["status"] == "ok"
    assert http.head("/v1/health", params={"probe": "lb-1"}).status_code == 200
    refused = http.get("/v1/profiles", params={"probe": "1"})  # others still refuse a typo
    assert refused.status_code == 422
    assert "'probe'" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        (
            "/v1/route",
            "from=60.1699,24.9384&to=60.1719,24.9414&profile=blind&profile=pedestrian",
            "profile",
        ),
        ("/v1/reports", "limit=1&limit=2", "limit"),
        ("/v1/isochrone", "from=60.1699,24.9384&minutes=1&minutes=2", "minutes"),
    ],
)
def test_a_repeated_query_parameter_is_refused_naming_it(
    http: httpx.Client, path: str, query: str, name: str
) -> None:
    answer = http.get(f"{path}?{query}")
    assert answer.status_code == 422, answer.text
    message = answer.json()["error"]["message"]
    assert f"{name!r} is given 2 times" in message


# --- CORS ---------------------------------------------------------------------------------


def test_cors_lets_a_page_read_retry_after_and_location(make_server, generous) -> None:
    origin = "https://map.example"
    server = make_server({**generous, "STEPFREE_CORS_ORIGINS": origin})
    with httpx.Client(base_url=server.url, timeout=30) as client:
        answer = client.post(
            "/v1/reports",
            json={"type": "steps", "lat": 60.1699, "lon": 24.9413},
            headers={"Origin": origin},
        )
    assert answer.status_code == 201
    assert answer.headers["access-control-allow-origin"] == origin
    exposed = {
        h.strip().lower() for h in answer.headers["access-control-expose-headers"].split(",")
    }
    assert {"retry-after", "location"} <= exposed


# --- the docs page --------------------------------------------------------------------------

URL = re.compile(r"""(?:src|href)=["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_docs_page_loads_everything_from_this_server(http: httpx.Client, page: str) -> None:
    answer = http.get(page)
    assert answer.status_code == 200
    html = answer.text
    assert "http://" not in html
    assert "https://" not in html  # no CDN, no Google fonts, no favicon from elsewhere
    loaded = [a or b for a, b in URL.findall(html)]
    assert any(u.endswith(".js") for u in loaded), loaded
    assert '"validatorUrl": null' in html or page == "/redoc"  # the badge would ask swagger.io
    for url in loaded:
        assert url.startswith("/"), url
        fetched = http.get(url)
        assert fetched.status_code == 200, url
        if url.endswith(".css"):
            outside = re.findall(r"url\((?!['\"]?data:)['\"]?(https?:[^)'\"]+)", fetched.text)
            assert not outside, outside

"""Every answer of the service has its schema in ``/openapi.json``, and real answers fit it.

The document is fetched from a real server on loopback; every 2xx and 4xx answer of every
operation must declare a JSON schema that says something (not ``{}``, not a bare map), closed
wherever it names members (``additionalProperties: false``), so that a client generated from
it (the web app's) knows every member. Then real requests reach every operation, a 2xx of each
and a 4xx of every kind (400, 401, 403, 404, 409, 413, 422, 429), and each body is validated
against the schema the document declares for its status, ``$ref`` resolved against the
document (jsonschema-rs, the validator schemathesis uses).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema_rs
import pytest

from stepfree.api.settings import Settings

ORIGIN = "60.1675,24.9365"  # two points in central Helsinki, about 1 km apart by the streets
DESTINATION = "60.1710,24.9450"
SQUARE = {"lat": 60.16990, "lon": 24.94130}  # a point on a footway near the railway station
JSON_MEDIA = {"application/json", "application/geo+json"}


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, by_method in document["paths"].items():
        for method, operation in by_method.items():
            yield method, path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def open_objects(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    """Titles of the object schemas under ``schema`` that name members and still allow
    others (every one reached once)."""
    seen: set[int] = set()
    todo = [schema]
    while todo:
        current = resolve(document, todo.pop())
        if id(current) in seen:
            continue
        seen.add(id(current))
        if "properties" in current and current.get("additionalProperties") is not False:
            yield current.get("title", json.dumps(current)[:80])
        todo += current.get("properties", {}).values()
        for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
            todo += current.get(key, [])
        for key in ("items", "additionalProperties"):
            if isinstance(current.get(key), dict):
                todo.append(current[key])


@pytest.fixture(scope="module")
def document(server: Any) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


def test_every_2xx_and_4xx_answer_has_a_json_schema_that_says_what_it_holds(
    document: dict[str, Any],
) -> None:
    checked = 0
    for method, path, operation in operations(document):
        statuses = [s for s in operation["responses"] if 200 <= int(s) < 500]
        assert any(s.startswith("2") for s in statuses), (method, path)
        for status in statuses:
            where = f"{method.upper()} {path} {status}"
            content = operation["responses"][status].get("content", {})
            if method == "head":  # HEAD answers have no body, and the document says none
                assert content == {}, where
                continue
            assert content, f"{where}: no body declared"
            for media, body in content.items():
                schema = body.get("schema")
                assert schema, f"{where} {media}: no schema"
                if media.startswith("text/csv"):
                    assert schema == {"type": "string"}, where
                    continue
                assert media in JSON_MEDIA, where
                top = resolve(document, schema)
                assert top not in ({}, {"type": "object"}), f"{where}: an empty schema"
                bare_map = "additionalProperties" in top and "properties" not in top
                assert not bare_map, f"{where}: a bare map"
                assert top.get("type") in {"object", "array"}, where
                assert not list(open_objects(document, schema)), f"{where}: open objects"
                checked += 1
    assert checked > 100  # every operation's answers, errors included


class Checker:
    """Validates each answer against the schema ``document`` declares for its operation,
    status and media type; remembers which (method, path, status) it has seen."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.seen: set[tuple[str, str, str]] = set()
        self._validators: dict[str, Any] = {}

    def _operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        parts = path.split("/")
        for template, by_method in self.document["paths"].items():
            pattern = template.split("/")
            if method not in by_method or len(pattern) != len(parts):
                continue
            if all(p == q or p.startswith("{") for p, q in zip(pattern, parts, strict=True)):
                return template, by_method[method]
        raise AssertionError(f"{method.upper()} {path}: no such operation in the document")

    def _validator(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            root = {**schema, "components": self.document["components"]}  # $refs resolve here
            self._validators[key] = jsonschema_rs.validator_for(root)
        return self._validators[key]

    def __call__(self, response: httpx.Response, status: int) -> Any:
        assert response.status_code == status, response.text
        method, path = response.request.method.lower(), response.request.url.path
        template, operation = self._operation(method, path)
        where = f"{method.upper()} {template} {status}"
        declared = operation["responses"].get(str(status))
        assert declared is not None, f"{where}: a status the document does not declare"
        self.seen.add((method, template, str(status)))
        content = declared.get("content", {})
        if method == "head":
            assert response.content == b"", where
            assert content == {}, where
            return None
        media = response.headers["content-type"].split(";")[0].strip()
        assert media in content, f"{where}: answered {media}, declared {sorted(content)}"
        if media not in JSON_MEDIA:
            return response.text
        body = response.json()
        validator = self._validator(content[media]["schema"])
        errors = [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, f"{where}: {errors[:5]}"
        return body


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_real_answers_of_every_endpoint_fit_the_schema_of_their_status(
    server: Any,
    keys: dict[str, str],
    document: dict[str, Any],
    make_server: Any,
    generous: dict[str, str],
) -> None:
    check = Checker(document)
    admin, moderator = bearer(keys["admin"]), bearer(keys["moderator"])
    with httpx.Client(base_url=server.url, timeout=60) as http:
        # routing first: the reports below change routes
        ends = {"from": ORIGIN, "to": DESTINATION, "at": "2026-03-01T10:00"}
        found = check(http.get("/v1/route", params={**ends, "profile": "walker"}), 200)
        assert found["route"]["type"] == "Feature"
        wheelchair = {**ends, "profile": "manual_wheelchair"}
        blocked = check(http.get("/v1/route", params={**wheelchair, "unknown_kerb": "forbid"}), 404)
        assert blocked["error"]["code"] == "no_route"
        far = {**wheelchair, "min_width_m": "5", "unknown_width": "forbid"}
        refused = check(http.get("/v1/route", params=far), 404)
        assert refused["error"]["code"] == "no_usable_way"
        iso = {"from": ORIGIN, "minutes": "2,4", "lang": "kk"}
        assert check(http.get("/v1/isochrone", params=iso), 200)["features"]
        iso_far = {**{k: v for k, v in far.items() if k != "to"}, "minutes": "2"}
        refused = check(http.get("/v1/isochrone", params=iso_far), 404)
        assert refused["error"]["blocked_by"][0]["attribute"] == "access_m"
        check(http.get("/v1/route", params={**ends, "from": "sixty,twenty-four"}), 422)
        check(http.get("/v1/profiles"), 200)
        check(http.get("/v1/profiles/manual_wheelchair"), 200)
        check(http.get("/v1/profiles/skater"), 404)
        check(http.get("/v1/coverage"), 200)
        check(http.get("/v1/health"), 200)
        check(http.head("/v1/health"), 200)

        # reports: create, list, read, confirm, moderate, export
        new = {"type": "obstacle", **SQUARE, "description": "Бордюр"}
        first = check(http.post("/v1/reports", json=new), 201)
        second = check(http.post("/v1/reports", json=new, headers=bearer(keys["reporter"])), 201)
        not_json = {"content-type": "application/json"}
        check(http.post("/v1/reports", content=b"{", headers=not_json), 400)
        too_big = {**new, "description": "x" * (Settings().max_body_bytes + 1)}
        check(http.post("/v1/reports", json=too_big), 413)
        check(http.get("/v1/reports", params={"limit": 2}), 200)
        check(http.get(f"/v1/reports/{first['id']}"), 200)
        check(http.get("/v1/reports/987654321"), 404)
        confirm = f"/v1/reports/{first['id']}/confirm"
        check(http.post(confirm, headers=bearer(keys["reporter"])), 200)
        approve = f"/v1/reports/{first['id']}/approve"
        check(http.post(approve), 401)
        check(http.post(approve, headers=bearer(keys["reporter"])), 403)
        check(http.post(approve, headers=moderator), 200)
        check(http.post(approve, headers=moderator), 409)
        check(http.post(f"/v1/reports/{first['id']}/resolve", headers=moderator), 200)
        check(http.post(f"/v1/reports/{second['id']}/reject", headers=moderator), 200)
        collection = check(http.get("/v1/reports.geojson"), 200)
        assert collection["features"]
        check(http.get("/v1/reports.csv", params={"status": "resolved"}), 200)

        # keys and the audit log (admin)
        check(http.get("/v1/keys", headers=bearer("sf_00000000_not-a-key")), 401)
        check(http.get("/v1/keys", headers=moderator), 403)
        check(http.get("/v1/keys", headers=admin), 200)
        made = check(http.post("/v1/keys", json={"role": "reporter"}, headers=admin), 201)
        key = f"/v1/keys/{made['id']}"
        check(http.post(f"{key}/rotate", json={"grace_s": 60}, headers=admin), 200)
        check(http.post(f"{key}/expiry", json={"expires_at": None}, headers=admin), 200)
        check(http.post(f"{key}/revoke", headers=admin), 200)
        check(http.post(f"{key}/rotate", headers=admin), 409)
        check(http.post("/v1/keys/987654321/revoke", headers=admin), 404)
        entries = check(http.get("/v1/audit", headers=admin), 200)["entries"]
        assert {"report.approve", "key.create"} <= {e["action"] for e in entries}

    # a caller over its rate: a server of its own, with a small bucket per address
    small = {**generous, "STEPFREE_RATE_ADDRESS_PER_S": "0.01", "STEPFREE_RATE_ADDRESS_BURST": "2"}
    limited = make_server(small)
    with httpx.Client(base_url=limited.url, timeout=30) as http:
        statuses = [http.get("/v1/profiles").status_code for _ in range(4)]
        assert statuses[-1] == 429, statuses
        check(http.get("/v1/profiles"), 429)

    statuses = {status for _, _, status in check.seen}
    assert {"400", "401", "403", "404", "409", "413", "422", "429"} <= statuses
    answered = {(method, path) for method, path, status in check.seen if status.startswith("2")}
    every = {(method, path) for method, path, _ in operations(document)}
    assert answered == every, f"no 2xx answer checked for {sorted(every - answered)}"

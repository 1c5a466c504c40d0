"""The key lifecycle over real HTTP: admins list, revoke, rotate and change the expiry of keys;
a revoked, expired or rotated-away secret gets 401 on its very next request, in every worker
(a revocation by `stepfree keys revoke` on the database included); the last admin key cannot
be revoked through the API. The audit log is readable by admins only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import httpx
import pytest

from stepfree.api.app import create_app
from stepfree.api.service import Service
from stepfree.api.settings import Settings
from stepfree.errors import BadInput
from stepfree.reports.domain import Role
from stepfree.reports.store import ReportStore

POINT = {"lat": 60.16990, "lon": 24.94130}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stepfree_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepfree", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_only_admins_manage_keys(server, keys) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for method, path, body in (
            ("GET", "/v1/keys", None),
            ("POST", "/v1/keys/1/revoke", None),
            ("POST", "/v1/keys/1/rotate", None),
            ("POST", "/v1/keys/1/expiry", {"expires_at": None}),
            ("GET", "/v1/audit", None),
        ):
            assert http.request(method, path, json=body).status_code == 401, path
            for role in ("reporter", "moderator", "official"):
                refused = http.request(method, path, json=body, headers=bearer(keys[role]))
                assert refused.status_code == 403, (path, role)
                assert "admin" in refused.json()["error"]["message"]


def test_admins_list_keys_without_secrets(server, keys) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        listed = http.get("/v1/keys", headers=bearer(keys["admin"]), params={"limit": 500})
        assert listed.status_code == 200
        page = listed.json()
        roles = {key["label"]: (key["role"], key["status"]) for key in page["keys"]}
        for role in Role:
            assert roles[f"test {role.value}"] == (role.value, "active")
        assert page["next_offset"] is None
        for secret in keys.values():
            assert secret not in listed.text
            assert secret.split("_")[1] not in listed.text  # not even the prefix
        assert "sha256" not in listed.text
        assert set(page["keys"][0]) == {
            "id",
            "role",
            "label",
            "status",
            "created_at",
            "expires_at",
            "revoked_at",
            "rotated_at",
            "previous_until",
        }
        too_big = http.get("/v1/keys", headers=bearer(keys["admin"]), params={"limit": 501})
        assert too_big.status_code == 422
        assert "max_page_size" in too_big.json()["error"]["message"]


def test_revoked_and_rotated_secrets_get_401_on_the_next_request(server, keys) -> None:
    admin = bearer(keys["admin"])
    with httpx.Client(base_url=server.url, timeout=30) as http:
        made = http.post("/v1/keys", json={"role": "official", "label": "crew"}, headers=admin)
        assert made.status_code == 201
        key_id, old = made.json()["id"], made.json()["secret"]
        assert http.get("/v1/reports", headers=bearer(old)).status_code == 200  # now cached
        rotated = http.post(f"/v1/keys/{key_id}/rotate", headers=admin)
        assert rotated.status_code == 200
        assert (rotated.json()["id"], rotated.json()["role"]) == (key_id, "official")
        new = rotated.json()["secret"]
        assert new != old
        assert http.get("/v1/reports", headers=bearer(old)).status_code == 401
        assert http.get("/v1/reports", headers=bearer(new)).status_code == 200
        revoked = http.post(f"/v1/keys/{key_id}/revoke", headers=admin)
        assert revoked.status_code == 200
        assert revoked.json()["status"] == "revoked"
        refused = http.get("/v1/reports", headers=bearer(new))
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        again = http.post(f"/v1/keys/{key_id}/revoke", headers=admin)
        assert again.status_code == 409
        assert "already revoked" in again.json()["error"]["message"]
        assert http.post("/v1/keys/999999/revoke", headers=admin).status_code == 404
        assert http.post(f"/v1/keys/{key_id}/rotate", headers=admin).status_code == 409


def test_a_grace_period_keeps_the_old_secret_for_its_length(server, keys) -> None:
    admin = bearer(keys["admin"])
    with httpx.Client(base_url=server.url, timeout=30) as http:
        made = http.post("/v1/keys", json={"role": "reporter"}, headers=admin).json()
        rotated = http.post(
            f"/v1/keys/{made['id']}/rotate", json={"grace_s": 2}, headers=admin
        ).json()
        until = datetime.fromisoformat(rotated["previous_until"])
        assert until - datetime.fromisoformat(rotated["rotated_at"]) == timedelta(seconds=2)
        assert http.get("/v1/reports", headers=bearer(made["secret"])).status_code == 200
        assert http.get("/v1/reports", headers=bearer(rotated["secret"])).status_code == 200
        time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.1)
        assert http.get("/v1/reports", headers=bearer(made["secret"])).status_code == 401
        assert http.get("/v1/reports", headers=bearer(rotated["secret"])).status_code == 200
        too_long = http.post(
            f"/v1/keys/{made['id']}/rotate", json={"grace_s": 8 * 86400}, headers=admin
        )
        assert too_long.status_code == 422


def test_an_expired_key_gets_401_and_can_be_renewed(server, keys) -> None:
    admin = bearer(keys["admin"])
    with httpx.Client(base_url=server.url, timeout=30) as http:
        soon = datetime.now(UTC) + timedelta(seconds=2)
        made = http.post(
            "/v1/keys", json={"role": "reporter", "expires_at": soon.isoformat()}, headers=admin
        )
        assert made.status_code == 201
        assert datetime.fromisoformat(made.json()["expires_at"]) == soon
        secret, key_id = made.json()["secret"], made.json()["id"]
        assert http.get("/v1/reports", headers=bearer(secret)).status_code == 200  # cached
        time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
        assert http.get("/v1/reports", headers=bearer(secret)).status_code == 401
        listed = http.get("/v1/keys", headers=admin, params={"limit": 500}).json()["keys"]
        assert next(k for k in listed if k["id"] == key_id)["status"] == "expired"
        renewed = http.post(f"/v1/keys/{key_id}/expiry", json={"expires_at": None}, headers=admin)
        assert renewed.status_code == 200
        assert renewed.json()["status"] == "active"
        assert http.get("/v1/reports", headers=bearer(secret)).status_code == 200
        past = http.post(
            f"/v1/keys/{key_id}/expiry", json={"expires_at": "2001-01-01T00:00Z"}, headers=admin
        )
        assert past.status_code == 422
        assert "not in the future" in past.json()["error"]["message"]
        bad = http.post("/v1/keys", json={"role": "reporter", "expires_at": "soon"}, headers=admin)
        assert bad.status_code == 422


def test_the_api_refuses_to_revoke_the_last_admin_key_the_cli_may(make_server, generous) -> None:
    server = make_server(generous)
    only = server.key("admin")
    with httpx.Client(base_url=server.url, timeout=30) as http:
        keys = http.get("/v1/keys", headers=bearer(only)).json()["keys"]
        (admin_id,) = [k["id"] for k in keys if k["role"] == "admin"]
        refused = http.post(f"/v1/keys/{admin_id}/revoke", headers=bearer(only))
        assert refused.status_code == 409
        message = refused.json()["error"]["message"]
        assert "last working admin key" in message
        assert "create another admin key first" in message
        assert http.get("/v1/keys", headers=bearer(only)).status_code == 200  # still works
        second = http.post("/v1/keys", json={"role": "admin"}, headers=bearer(only)).json()
        # with another admin key, an admin may revoke its own: its next request is 401
        assert http.post(f"/v1/keys/{admin_id}/revoke", headers=bearer(only)).status_code == 200
        assert http.get("/v1/keys", headers=bearer(only)).status_code == 401
        done = stepfree_cli("keys", "revoke", str(second["id"]), "--db", server.db, env=server.env)
        assert done.returncode == 0, done.stderr
        assert http.get("/v1/keys", headers=bearer(second["secret"])).status_code == 401


def _workers_answering(server, line: str) -> set[str]:
    """Worker processes whose access log has ``line`` (a log line's third field is its pid)."""
    return {row.split()[2] for row in server.log().splitlines() if line in row}


def _concurrently(server, secret: str, count: int = 10) -> list[int]:
    """``count`` requests at once, each on its own connection, so both workers take some."""

    async def main() -> list[int]:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            headers = {**bearer(secret), "Connection": "close"}
            answers: list[int] = []

            async def one() -> None:
                answers.append((await client.get("/v1/reports", headers=headers)).status_code)

            async with anyio.create_task_group() as group:
                for _ in range(count):
                    group.start_soon(one)
            return answers

    return anyio.run(main)


def test_a_cli_revocation_is_seen_at_once_by_both_workers(make_server, generous) -> None:
    server = make_server(generous, workers=2)
    deadline = time.monotonic() + 120  # /v1/health answered from the first worker up
    while len(_workers_answering(server, "stepfree.api: serving")) < 2:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.1)
    secret = server.key("reporter")
    # until both workers have looked the key up (and cached it)
    while len(_workers_answering(server, "GET /v1/reports 200")) < 2:
        assert time.monotonic() < deadline, "one worker took every request"
        assert set(_concurrently(server, secret)) == {200}
        time.sleep(0.2)  # the access log is written after the answer
    listed = stepfree_cli("keys", "list", "--json", "--db", server.db, env=server.env)
    (key,) = json.loads(listed.stdout)
    done = stepfree_cli("keys", "revoke", str(key["id"]), "--db", server.db, env=server.env)
    assert done.returncode == 0, done.stderr
    refused: set[int] = set()
    while len(_workers_answering(server, "GET /v1/reports 401")) < 2:
        assert time.monotonic() < deadline, "one worker took every request"
        refused |= set(_concurrently(server, secret))
        time.sleep(0.2)
    assert refused == {401}  # every request after the revocation, in both workers


def test_a_revocation_through_one_app_is_seen_by_another_at_once(graph_file, tmp_path) -> None:
    """Two apps on one database stand for two workers; each caches keys it looked up."""
    db = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    with ReportStore.open(db) as store:
        admin = store.create_key(Role.admin)[1]
        reporter = store.create_key(Role.reporter)[1]
    apps = [create_app(Settings(graph=graph_file, db=db)) for _ in range(2)]

    async def main() -> list[int]:
        async with (
            apps[0].router.lifespan_context(apps[0]),
            apps[1].router.lifespan_context(apps[1]),
        ):
            one, other = (
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://stepfree.test"
                )
                for app in apps
            )
            async with one, other:
                seen = [
                    (await c.get("/v1/reports", headers=bearer(reporter))).status_code
                    for c in (one, other)
                ]
                listed = (await one.get("/v1/keys", headers=bearer(admin))).json()["keys"]
                key_id = next(k["id"] for k in listed if k["role"] == "reporter")
                seen.append(
                    (await one.post(f"/v1/keys/{key_id}/revoke", headers=bearer(admin))).status_code
                )
                seen += [
                    (await c.get("/v1/reports", headers=bearer(reporter))).status_code
                    for c in (other, one)
                ]
                return seen

    assert anyio.run(main) == [200, 200, 200, 401, 401]


def test_the_audit_log_over_http(server, keys) -> None:
    admin, moderator = bearer(keys["admin"]), bearer(keys["moderator"])
    with httpx.Client(base_url=server.url, timeout=30) as http:
        created = http.post("/v1/reports", json={"type": "obstacle", **POINT}).json()
        rid = created["id"]
        assert http.post(f"/v1/reports/{rid}/approve", headers=moderator).status_code == 200
        assert http.post(f"/v1/reports/{rid}/resolve", headers=admin).status_code == 200
        found = http.get("/v1/audit", params={"report_id": rid}, headers=admin)
        assert found.status_code == 200
        entries = found.json()["entries"]
        assert [(e["action"], e["from_status"], e["to_status"]) for e in entries] == [
            ("report.resolve", "approved", "resolved"),
            ("report.approve", "pending", "approved"),
        ]
        assert [e["actor_role"] for e in entries] == ["admin", "moderator"]
        moderator_id = entries[1]["actor_key_id"]
        by_key = http.get(
            "/v1/audit", params={"key_id": moderator_id, "action": "report.approve"}, headers=admin
        ).json()["entries"]
        assert rid in [e["report_id"] for e in by_key]
        since = datetime.fromisoformat(entries[0]["at"]) + timedelta(seconds=1)
        later = http.get("/v1/audit", params={"since": since.isoformat()}, headers=admin)
        assert rid not in [e["report_id"] for e in later.json()["entries"]]
        page = http.get("/v1/audit", params={"limit": 1}, headers=admin).json()
        assert (len(page["entries"]), page["next_offset"]) == (1, 1)
        for params, words in (
            ({"action": "report.delete"}, "action"),
            ({"since": "yesterday"}, "ISO-8601"),
            ({"limit": 501}, "max_page_size"),
            ({"report": rid}, "unknown query parameter 'report'"),
        ):
            bad = http.get("/v1/audit", params=params, headers=admin)
            assert bad.status_code == 422, params
            assert words in bad.json()["error"]["message"]


def test_the_key_and_audit_endpoints_are_in_the_openapi_schema(server) -> None:
    schema = httpx.get(f"{server.url}/openapi.json", timeout=30).json()
    paths = schema["paths"]

    def answer(path: str, method: str, status: str = "200") -> str:
        content = paths[path][method]["responses"][status]["content"]["application/json"]
        return str(content["schema"]["$ref"]).rsplit("/", 1)[-1]

    assert answer("/v1/keys", "get") == "KeyPage"
    assert answer("/v1/keys", "post", "201") == "KeyCreated"
    assert answer("/v1/keys/{key_id}/revoke", "post") == "KeyOut"
    assert answer("/v1/keys/{key_id}/rotate", "post") == "KeyCreated"
    assert answer("/v1/keys/{key_id}/expiry", "post") == "KeyOut"
    assert answer("/v1/audit", "get") == "AuditPage"
    assert "409" in paths["/v1/keys/{key_id}/revoke"]["post"]["responses"]
    assert "secret" not in schema["components"]["schemas"]["KeyOut"]["properties"]
    audit_params = {p["name"] for p in paths["/v1/audit"]["get"]["parameters"]}
    assert {"report_id", "key_id", "action", "since", "until", "limit", "offset"} <= audit_params


@pytest.mark.parametrize(
    "command",
    [
        ["keys", "create", "--role", "admin"],
        ["keys", "list"],
        ["keys", "revoke", "1"],
        ["audit"],
        ["serve", "--graph", "{graph}"],
    ],
)
def test_a_db_in_a_missing_folder_is_refused_in_one_line(command, graph_file, tmp_path) -> None:
    missing = tmp_path / "no" / "such" / "folder"
    args = [part.replace("{graph}", str(graph_file)) for part in command]
    done = stepfree_cli(*args, "--db", str(missing / "reports.sqlite"))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert str(missing) in done.stderr
    assert "does not exist" in done.stderr
    assert not (tmp_path / "no").exists()  # nothing made on the way


def test_the_default_store_folder_is_still_made(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {**os.environ, "STEPFREE_CACHE": str(cache)}
    done = stepfree_cli("keys", "create", "--role", "reporter", env=env)
    assert done.returncode == 0, done.stderr
    assert (cache / "stepfree-reports.sqlite").is_file()


def test_the_app_refuses_a_named_store_in_a_missing_folder(graph_file, tmp_path) -> None:
    missing = tmp_path / "gone"
    settings = Settings(graph=graph_file, db=f"sqlite:///{missing / 'reports.sqlite'}")
    with pytest.raises(BadInput, match=f"the folder {missing} of the report store"):
        Service.open(settings)
    assert not missing.exists()

"""Keys, rate limits, body size, time budget, CORS, settings, and what reaches the logs.

The limit tests run the app in-process (httpx's ASGI transport, with the real lifespan) so
each can use its own low settings; the log test runs the real server.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from stepfree.api.app import create_app
from stepfree.api.settings import Settings, settings_as_env, settings_from_env
from stepfree.errors import BadInput
from stepfree.reports.store import ReportStore

ORIGIN = "60.1675,24.9365"
DESTINATION = "60.1710,24.9450"
POINT = {"lat": 60.16990, "lon": 24.94130}

Calls = Callable[[Callable[[str], httpx.AsyncClient]], Awaitable[Any]]


def in_process(graph: Path, tmp_path: Path, calls: Calls, **settings: Any) -> Any:
    """Run ``calls`` against the app in this process; clients per address via ``client(ip)``."""
    db = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    app = create_app(Settings(graph=graph, db=db, **settings))

    async def main() -> Any:
        async with app.router.lifespan_context(app):

            def client(address: str = "203.0.113.7") -> httpx.AsyncClient:
                transport = httpx.ASGITransport(app=app, client=(address, 40000))
                return httpx.AsyncClient(transport=transport, base_url="http://stepfree.test")

            client.app = app  # type: ignore[attr-defined]  # for tests that reach the state
            return await calls(client)

    return anyio.run(main)


def test_rate_limit_per_address_answers_429_with_retry_after(graph_file, tmp_path) -> None:
    async def calls(client):
        async with client("203.0.113.7") as one, client("198.51.100.9") as other:
            statuses = [(await one.get("/v1/profiles")).status_code for _ in range(3)]
            refused = await one.get("/v1/profiles")
            return statuses, refused, await other.get("/v1/profiles"), await one.get("/v1/health")

    statuses, refused, other, health = in_process(
        graph_file, tmp_path, calls, rate_address_per_s=0.5, rate_address_burst=3
    )
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "2"  # one token at 0.5/s
    assert "per client address" in refused.json()["error"]["message"]
    assert other.status_code == 200  # another address has its own bucket
    assert health.status_code == 200  # health checks are never limited


def test_rate_limit_per_key_and_for_report_writes(graph_file, tmp_path) -> None:
    db = tmp_path / "reports.sqlite"
    with ReportStore.open(f"sqlite:///{db}") as store:
        secret = store.create_key("reporter")[1]  # type: ignore[arg-type]
    auth = {"Authorization": f"Bearer {secret}"}

    async def calls(client):
        async with client() as c:
            keyed = [(await c.get("/v1/profiles", headers=auth)).status_code for _ in range(3)]
            anonymous = (await c.get("/v1/profiles")).status_code
            writes = [
                (await c.post("/v1/reports", json={"type": "obstacle", **POINT})).status_code
                for _ in range(3)
            ]
            return keyed, anonymous, writes

    keyed, anonymous, writes = in_process(
        graph_file,
        tmp_path,
        calls,
        rate_key_per_s=0.1,
        rate_key_burst=2,
        rate_write_per_s=0.01,
        rate_write_burst=2,
    )
    assert keyed == [200, 200, 429]
    assert anonymous == 200  # the address bucket is not the key's
    assert writes == [201, 201, 429]


def test_bodies_over_the_limit_are_413(graph_file, tmp_path) -> None:
    big = {"type": "obstacle", **POINT, "description": "x" * 1500}

    async def chunks():
        yield b'{"type": "obstacle", "description": "'
        for _ in range(20):
            yield b"y" * 100
        yield b'"}'

    async def calls(client):
        async with client() as c:
            declared = await c.post("/v1/reports", json=big)
            streamed = await c.post(
                "/v1/reports", content=chunks(), headers={"content-type": "application/json"}
            )
            small = await c.post("/v1/reports", json={"type": "obstacle", **POINT})
            return declared, streamed, small

    declared, streamed, small = in_process(graph_file, tmp_path, calls, max_body_bytes=1024)
    assert declared.status_code == 413
    assert "max_body_bytes" in declared.json()["error"]["message"]
    assert streamed.status_code == 413  # no Content-Length: counted as it arrives
    assert small.status_code == 201


def test_a_request_over_its_time_budget_is_503_not_a_hang(graph_file, tmp_path) -> None:
    async def calls(client):
        async with client() as c:
            slow = await c.get("/v1/route", params={"from": ORIGIN, "to": DESTINATION})
            return slow, await c.get("/v1/profiles")

    # a budget no route can meet however fast routing gets (0.5 ms stopped being one)
    slow, other = in_process(graph_file, tmp_path, calls, request_budget_s=1e-9)
    assert slow.status_code == 503
    assert slow.headers["retry-after"] == "1"
    assert "request_budget_s" in slow.json()["error"]["message"]
    assert other.status_code == 200


@pytest.mark.parametrize("origins", [(), ("https://map.example",)])
def test_cors_only_when_configured(graph_file, tmp_path, origins) -> None:
    async def calls(client):
        async with client() as c:
            preflight = await c.options(
                "/v1/route",
                headers={
                    "Origin": "https://map.example",
                    "Access-Control-Request-Method": "GET",
                },
            )
            simple = await c.get("/v1/profiles", headers={"Origin": "https://map.example"})
            stranger = await c.get("/v1/profiles", headers={"Origin": "https://evil.example"})
            return preflight, simple, stranger

    preflight, simple, stranger = in_process(graph_file, tmp_path, calls, cors_origins=origins)
    assert "access-control-allow-origin" not in stranger.headers
    if origins:
        assert preflight.headers["access-control-allow-origin"] == "https://map.example"
        assert simple.headers["access-control-allow-origin"] == "https://map.example"
    else:
        assert "access-control-allow-origin" not in preflight.headers
        assert "access-control-allow-origin" not in simple.headers


def test_settings_come_from_the_environment_and_bad_ones_name_the_variable() -> None:
    settings = settings_from_env(
        {"STEPFREE_MAX_ROUTE_KM": "5", "STEPFREE_CORS_ORIGINS": "https://a.example, https://b"}
    )
    assert settings.max_route_km == 5
    assert settings.cors_origins == ("https://a.example", "https://b")
    assert settings_from_env(settings_as_env(settings)) == settings
    with pytest.raises(BadInput, match="STEPFREE_MAX_PAGE_SIZE"):
        settings_from_env({"STEPFREE_MAX_PAGE_SIZE": "5000"})


def test_keys_and_query_strings_never_reach_the_log(make_server, generous) -> None:
    server = make_server(generous)
    admin = server.key("admin")
    secret_query = "sf_deadbeef_querysecretvalue"
    with httpx.Client(base_url=server.url, timeout=30) as client:
        auth = {"Authorization": f"Bearer {admin}"}
        assert client.post("/v1/keys", json={"role": "reporter"}, headers=auth).status_code == 201
        assert client.get("/v1/profiles", headers=auth).status_code == 200
        bad = {"Authorization": "Bearer sf_12345678_wrongsecretvalue"}
        assert client.get("/v1/profiles", headers=bad).status_code == 401
        routed = client.get("/v1/route", params={"from": ORIGIN, "to": DESTINATION})
        assert routed.status_code == 200
        unknown = client.get("/v1/profiles", params={"api_key": secret_query})
        assert unknown.status_code == 422
        assert secret_query not in unknown.text
    server.stop()
    log = server.log()
    assert "GET /v1/route 200" in log
    assert "POST /v1/keys 201" in log
    for secret in (admin, "wrongsecretvalue", secret_query, ORIGIN, "Bearer"):
        assert secret not in log


def test_keys_create_prints_the_secret_once(make_server, generous) -> None:
    server = make_server(generous)
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepfree",
            "keys",
            "create",
            "--role",
            "moderator",
            "--label",
            "night shift",
            "--db",
            server.db,
        ],
        capture_output=True,
        text=True,
        env=server.env,
        check=True,
    )
    secret = made.stdout.strip()
    assert secret.startswith("sf_")
    assert "\n" not in secret
    assert "moderator" in made.stderr
    assert secret not in made.stderr
    created = httpx.post(f"{server.url}/v1/reports", json={"type": "steps", **POINT}, timeout=30)
    approve = httpx.post(
        f"{server.url}/v1/reports/{created.json()['id']}/approve",
        headers={"Authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert approve.status_code == 200


def test_serve_refuses_a_missing_graph_in_one_line(tmp_path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepfree",
            "serve",
            "--graph",
            str(tmp_path / "none.sfg"),
            "--db",
            f"sqlite:///{tmp_path / 'r.sqlite'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0
    assert "none.sfg" in done.stderr


def test_public_names_of_the_api_package() -> None:
    import stepfree.api

    assert stepfree.api.__all__ == [
        "Settings",
        "create_app",
        "create_key",
        "serve",
        "settings_from_env",
    ]


def test_a_lost_store_is_503_while_routing_goes_on(graph_file, tmp_path) -> None:
    async def calls(client):
        async with client() as c:
            before = await c.get("/v1/route", params={"from": ORIGIN, "to": DESTINATION})
            client.app.state.service.store.close()  # drop the pooled connections...
            for path in tmp_path.glob("reports.sqlite*"):  # ...and lose the database file
                path.unlink()
            route = await c.get("/v1/route", params={"from": ORIGIN, "to": DESTINATION})
            listing = await c.get("/v1/reports")
            health = await c.get("/v1/health")
            return before, route, listing, health

    before, route, listing, health = in_process(graph_file, tmp_path, calls)
    assert before.status_code == route.status_code == 200
    assert listing.status_code == 503
    assert listing.json()["error"]["code"] == "store_unavailable"
    assert listing.headers["retry-after"] == "5"
    assert health.status_code == 503
    assert health.json()["db"] is False

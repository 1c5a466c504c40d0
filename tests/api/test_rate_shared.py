"""Rate limits hold across worker processes: ``stepfree serve --workers 2`` admits one burst
per caller in all (within the stated tolerance), not one per worker; and a worker that loses
the shared buckets goes on limiting by itself."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import anyio
import httpx
import pytest
from sqlalchemy import text

from stepfree.api import security
from stepfree.api.app import create_app
from stepfree.api.security import LEASE_FRACTION, TokenBuckets
from stepfree.api.settings import Settings
from stepfree.reports.database import WriteLock, database_url
from stepfree.reports.rate_buckets import SharedBuckets
from stepfree.reports.store import ReportStore


def _pids(log: str, request: str) -> set[str]:
    """Worker processes that answered ``request`` (the log line's third field is the pid)."""
    return {line.split()[2] for line in log.splitlines() if request in line}


@pytest.mark.parametrize("burst", [10, 30])
def test_the_burst_holds_across_two_workers(make_server, generous, burst: int) -> None:
    limits = {"STEPFREE_RATE_ADDRESS_PER_S": "0.01", "STEPFREE_RATE_ADDRESS_BURST": str(burst)}
    server = make_server({**generous, **limits}, workers=2)
    # /v1/health answered from the first worker up; wait for the second one's lifespan
    deadline = time.monotonic() + 120
    while len(_pids(server.log(), "stepfree.api: serving")) < 2:
        assert time.monotonic() < deadline, server.log()[-2000:]
        time.sleep(0.1)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        # concurrent connections, so that both workers take requests
        async def burst_of(count: int) -> list[int]:
            async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                answers = []
                for _ in range(count // 10):
                    async with anyio.create_task_group() as group:
                        for _ in range(10):
                            group.start_soon(_get, client, answers)
                return answers

        statuses = anyio.run(burst_of, 3 * burst)
        assert http.get("/v1/health").status_code == 200
    admitted = statuses.count(200)
    lease = max(1, int(burst * LEASE_FRACTION))
    # at most the burst (and the refill of a few seconds at 0.01/s: under one token); at
    # least the burst less what the other worker leased and had not spent
    assert burst - (lease - 1) <= admitted <= burst, statuses
    assert set(statuses) == {200, 429}
    server.stop()
    assert len(_pids(server.log(), "GET /v1/profiles")) == 2  # both workers answered


async def _get(client: httpx.AsyncClient, answers: list[int]) -> None:
    response = await client.get("/v1/profiles", headers={"Connection": "close"})
    answers.append(response.status_code)


def test_without_the_shared_buckets_a_worker_limits_by_itself(
    graph_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    app = create_app(
        Settings(graph=graph_file, db=db, rate_address_per_s=0.01, rate_address_burst=3)
    )

    async def main() -> list[int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                app.state.service.store.rate_buckets.close()
                for path in tmp_path.glob("reports.sqlite*"):  # the database is gone
                    path.unlink()
                (tmp_path / "reports.sqlite").mkdir()  # and cannot come back as a file
                return [(await client.get("/v1/profiles")).status_code for _ in range(5)]

    with caplog.at_level(logging.WARNING, logger="stepfree.api"):
        statuses = anyio.run(main)
    assert statuses == [200, 200, 200, 429, 429]
    warnings = [r.getMessage() for r in caplog.records if "shared buckets" in r.getMessage()]
    assert len(warnings) == 1  # said once, not per request
    assert "limiting per worker" in warnings[0]


def test_after_a_failed_lease_a_worker_waits_before_it_tries_the_store_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(security, "FALLBACK_RETRY_S", 0.3)
    path = tmp_path / "reports.sqlite"
    path.mkdir()  # no database can be opened there yet
    buckets = TokenBuckets(1.0, 100, "per client address", "address")

    def rows() -> int:
        with ReportStore.open(str(path)) as store, store.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM rate_buckets")).scalar_one())

    shared = SharedBuckets(database_url(str(path)), WriteLock(path))
    try:
        anyio.run(buckets.take, "addr:203.0.113.7", shared)  # fails over to memory
        path.rmdir()
        assert rows() == 0  # the store is back (and empty)
        anyio.run(buckets.take, "addr:203.0.113.8", shared)  # within the pause: memory
        assert rows() == 0
        time.sleep(0.35)
        anyio.run(buckets.take, "addr:203.0.113.9", shared)  # the store again
        assert rows() == 1
    finally:
        shared.close()


def test_concurrent_requests_of_one_caller_share_one_lease(tmp_path: Path) -> None:
    buckets = TokenBuckets(0.001, 100, "per client address", "address")  # leases of 10

    async def main(shared: SharedBuckets) -> None:
        async with anyio.create_task_group() as group:
            for _ in range(20):
                group.start_soon(buckets.take, "addr:203.0.113.7", shared)

    with ReportStore.open(str(tmp_path / "reports.sqlite")) as store:
        anyio.run(main, store.rate_buckets)
        rest = store.rate_buckets.lease("address", "addr:203.0.113.7", 0.001, 100, 1000)
    assert rest.granted == 80  # two leases of 10 for 20 requests, not one lease per request

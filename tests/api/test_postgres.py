"""The service end to end on PostgreSQL: create, approve and expire a report over HTTP.

Runs when ``STEPFREE_TEST_POSTGRES_URL`` names a server (``.ci/postgres.sh`` starts one). The
test works in a schema of its own, dropped afterwards, so it neither sees nor leaves data in
the database the storage tests use.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import create_engine, text

from stepfree.reports.database import database_url

pytestmark = pytest.mark.postgres

ORIGIN = "60.1675,24.9365"
DESTINATION = "60.1710,24.9450"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections work in a fresh schema."""
    base = os.environ.get("STEPFREE_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("STEPFREE_TEST_POSTGRES_URL is unset (.ci/postgres.sh prints it)")
    schema = f"api_test_{uuid.uuid4().hex[:10]}"
    engine = create_engine(database_url(base))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def test_report_lifecycle_changes_and_restores_a_route_on_postgres(
    make_server, generous, postgres_url
) -> None:
    server = make_server({**generous, "STEPFREE_EXPIRE_EVERY_S": "0.2"}, db=postgres_url)
    moderator = {"Authorization": f"Bearer {server.key('moderator')}"}
    with httpx.Client(base_url=server.url, timeout=30) as http:
        assert http.get("/v1/health").json()["db"] is True
        ends = {"from": ORIGIN, "to": DESTINATION}
        ways = http.get("/v1/route", params=ends).json()["osm_way_ids"]
        way = ways[len(ways) // 2]
        until = datetime.now(UTC) + timedelta(seconds=4)
        created = http.post(
            "/v1/reports",
            json={"type": "construction", "osm_way_id": way, "valid_until": until.isoformat()},
        )
        assert created.status_code == 201
        report_id = created.json()["id"]
        approved = http.post(f"/v1/reports/{report_id}/approve", headers=moderator)
        assert approved.json()["status"] == "approved"
        during = http.get("/v1/route", params=ends).json()
        assert way not in during["osm_way_ids"]
        assert during["reports"][0]["report_id"] == report_id
        time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.3)
        assert http.get("/v1/route", params=ends).json()["osm_way_ids"] == ways
        deadline = time.monotonic() + 10
        while http.get(f"/v1/reports/{report_id}").json()["status"] != "expired":
            assert time.monotonic() < deadline, "the report was never expired"
            time.sleep(0.1)

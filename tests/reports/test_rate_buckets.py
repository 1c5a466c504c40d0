"""The shared rate-limit buckets in the store's database, on SQLite and PostgreSQL: leases
refill and drain like one token bucket, two processes (two stores on one database) share it,
concurrent leases never hand out more than the burst, and no caller address is stored."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from stepfree.reports import ReportStore
from stepfree.reports.rate_buckets import CLEANUP_EVERY_S, bucket_hash

T0 = 1_900_000_000.0  # Unix seconds (2030)


def test_a_lease_refills_and_drains_like_one_bucket(store: ReportStore) -> None:
    buckets = store.rate_buckets
    lease = buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0)
    assert (lease.granted, lease.wait_s) == (4, 0.0)
    assert buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0).granted == 4
    assert buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0).granted == 2
    empty = buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0)
    assert (empty.granted, empty.wait_s) == (0, 2.0)  # one token at 0.5/s
    later = buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0 + 3)
    assert later.granted == 1  # 1.5 tokens back: one whole one
    assert buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0 + 3.5).granted == 0
    assert buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0 + 4).granted == 1
    full = buckets.lease("address", "addr:203.0.113.7", 0.5, 10, 40, now_s=T0 + 1000)
    assert full.granted == 10  # never more than the burst, however long it rested
    other = buckets.lease("address", "addr:198.51.100.1", 0.5, 10, 4, now_s=T0)
    assert other.granted == 4  # each caller has its own bucket
    family = buckets.lease("write", "addr:203.0.113.7", 0.5, 10, 4, now_s=T0)
    assert family.granted == 4  # and each family


def test_two_processes_share_one_bucket(db_url: str) -> None:
    """Two stores on one database stand for two worker processes."""
    with ReportStore.open(db_url) as one, ReportStore.open(db_url) as two:
        granted = [
            store.rate_buckets.lease("key", "key:7", 0.01, 10, 3, now_s=T0).granted
            for store in (one, two, one, two, one)
        ]
    assert granted == [3, 3, 3, 1, 0]


def test_concurrent_leases_never_hand_out_more_than_the_burst(db_url: str) -> None:
    burst = 25
    granted: list[int] = []
    lock = threading.Lock()
    with ReportStore.open(db_url) as one, ReportStore.open(db_url) as two:
        barrier = threading.Barrier(8)

        def worker(store: ReportStore) -> None:
            barrier.wait()
            for _ in range(10):
                lease = store.rate_buckets.lease("address", "addr:x", 0.001, burst, 1, now_s=T0)
                with lock:
                    granted.append(lease.granted)

        threads = [threading.Thread(target=worker, args=((one, two)[n % 2],)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(granted) == 80
    assert sum(granted) == burst


def test_buckets_are_stored_by_hash_and_full_ones_are_dropped(store: ReportStore) -> None:
    buckets = store.rate_buckets
    buckets.lease("address", "addr:203.0.113.7", 1.0, 5, 1, now_s=T0)
    later = T0 + CLEANUP_EVERY_S + 1  # the first bucket is full again by then
    buckets.lease("address", "addr:198.51.100.1", 1.0, 5, 1, now_s=later)
    with store.engine.connect() as connection:
        rows = connection.execute(text("SELECT family, bucket FROM rate_buckets")).all()
    assert rows == [("address", bucket_hash("addr:198.51.100.1"))]
    assert "198.51.100.1" not in str(rows)


@pytest.mark.parametrize("caller", ["addr:\ud800", "x" * 10_000])
def test_any_caller_string_has_a_bucket(store: ReportStore, caller: str) -> None:
    assert store.rate_buckets.lease("address", caller, 1.0, 5, 1, now_s=T0).granted == 1

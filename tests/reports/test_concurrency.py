"""Several writers at once (threads; processes sharing a SQLite file) and crash durability.

A report acknowledged by ``create`` must survive the process being killed right after (SQLite
in WAL mode with synchronous=FULL), and writers in several processes (uvicorn workers) must
never see "database is locked".
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from stepfree.reports import ReportIn, ReportStatus, ReportStore

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)

#: Children are forked from the test process, which has imported everything already: a fresh
#: interpreter would spend a second importing per child. Each child opens its own store.
FORK = multiprocessing.get_context("fork")


def _write(url: str, count: int, tag: str, acks: Connection) -> None:
    """In a child: open the store, create reports, send each acknowledged id at once."""
    store = ReportStore.open(url)
    for number in range(count):
        data = ReportIn(type="obstacle", lat=60.17, lon=24.94, description=f"{tag} {number}")
        acks.send(store.create(data, None, tag, datetime.now(UTC)).id)
    store.close()
    acks.close()


def _writer(url: str, count: int, tag: str) -> tuple[BaseProcess, Connection]:
    receiver, sender = FORK.Pipe(duplex=False)
    child = FORK.Process(target=_write, args=(url, count, tag, sender), daemon=True)
    child.start()
    sender.close()
    return child, receiver


def _acks(receiver: Connection) -> list[int]:
    ids = []
    while True:
        try:
            ids.append(receiver.recv())
        except EOFError:
            return ids


def test_threads_write_at_once(store: ReportStore) -> None:
    def work(worker: int) -> list[int]:
        ids = []
        for number in range(10):
            data = ReportIn(type="steps", lat=60.0, lon=25.0, description=f"{worker}/{number}")
            report = store.create(data, None, f"w{worker}", NOW)
            store.confirm(report.id, f"other{worker}", NOW)
            assert store.get(report.id) is not None
            store.version()
            ids.append(report.id)
        return ids

    with ThreadPoolExecutor(6) as pool:
        ids = [i for batch in pool.map(work, range(6)) for i in batch]
    assert len(set(ids)) == 60
    stored = store.list(limit=1000)
    assert sorted(r.id for r in stored) == sorted(ids)
    assert all(r.confirmations == 1 for r in stored)
    assert store.version() == "r120"  # 60 creates + 60 confirmations, none lost


def test_processes_share_a_sqlite_file(tmp_path: Path) -> None:
    # A fresh file: the four processes also race to create the schema (migrations serialise).
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    children = [_writer(url, 40, f"p{n}") for n in range(4)]
    acknowledged = [i for _, receiver in children for i in _acks(receiver)]
    for child, _ in children:
        child.join(timeout=60)
        assert child.exitcode == 0  # an exception ("database is locked") would exit 1
    assert len(acknowledged) == len(set(acknowledged)) == 160
    with ReportStore.open(url) as store:
        stored = store.list(limit=1000)
        assert sorted(r.id for r in stored) == sorted(acknowledged)
        assert {r.description for r in stored} == {f"p{n} {i}" for n in range(4) for i in range(40)}
        assert store.version() == "r160"


def test_acknowledged_reports_survive_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "crash.db"
    url = f"sqlite:///{path}"
    ReportStore.open(url).close()
    acknowledged: dict[int, str] = {}
    for round_ in range(3):
        child, receiver = _writer(url, 100_000, f"round{round_}")
        for number in range(30):  # kill while it is still writing
            acknowledged[receiver.recv()] = f"round{round_} {number}"
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=30)
        receiver.close()
        assert child.exitcode == -signal.SIGKILL
        with ReportStore.open(url) as store:  # recovery from the WAL, then more writes
            for report_id, description in acknowledged.items():
                report = store.get(report_id)
                assert report is not None, f"acknowledged report {report_id} lost"
                assert report.description == description
                assert report.status == ReportStatus.pending
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()

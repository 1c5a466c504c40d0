"""The change signal beside a SQLite store: a write through any store on the same file is seen
by the next version read of every other (no stale overlay), while reads with no write between
them skip the query; a change behind stepfree's back is seen within MAX_AGE_S."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stepfree.reports import ReportIn, ReportStore, ReportType
from stepfree.reports import signal as signal_module
from stepfree.reports.signal import ChangeSignal

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)


def _report() -> ReportIn:
    return ReportIn(type=ReportType.obstacle, lat=60.1699, lon=24.9384)


def test_a_write_through_one_store_is_seen_by_the_next_read_of_another(tmp_path: Path) -> None:
    """Two stores on one file stand for two worker processes of one service."""
    url = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    with ReportStore.open(url) as writer, ReportStore.open(url) as reader:
        before = reader.version()
        for _ in range(5):
            writer.create(_report(), None, "c", NOW)
            after = reader.version()  # at once: no waiting for MAX_AGE_S
            assert after != before
            before = after
        assert reader.version() == writer.version() == "r5"
        assert (tmp_path / "reports.sqlite-version").is_file()


def test_reads_without_a_write_between_them_skip_the_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'reports.sqlite'}"
    with ReportStore.open(url) as store:
        store.create(_report(), None, "c", NOW)
        queries = []
        read = store._read_version
        monkeypatch.setattr(store, "_read_version", lambda: queries.append(1) or read())
        versions = {store.version() for _ in range(50)}
        assert versions == {"r1"}
        assert len(queries) <= 1
        store.create(_report(), None, "c", NOW)
        assert store.version() == "r2"
        assert len(queries) <= 2


def test_a_change_behind_stepfrees_back_is_seen_within_the_max_age(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "reports.sqlite"
    with ReportStore.open(f"sqlite:///{path}") as store:
        assert store.version() == "r0"
        with sqlite3.connect(path) as shell:  # no signal from here
            shell.execute("UPDATE revision SET value = value + 1 WHERE id = 1")
        monkeypatch.setattr(signal_module, "MAX_AGE_S", 0.0)
        assert store.version() == "r1"


def test_no_signal_without_a_file_database() -> None:
    for database in (None, "", ":memory:"):
        signal = ChangeSignal.beside(database)
        assert signal.path is None
        read = iter(["r1", "r2"]).__next__
        assert signal.version(read) == "r1"
        assert signal.version(read) == "r2"  # read every time
        signal.bump()  # nothing to write


def test_an_unwritable_signal_falls_back_to_reading(tmp_path: Path) -> None:
    signal = ChangeSignal(tmp_path / "missing-folder" / "db-version")
    read = iter(["r1", "r2", "r3"]).__next__
    assert signal.version(read) == "r1"
    signal.bump()  # cannot write: forgets what it held
    assert signal.version(read) == "r2"

"""`stepfree serve` where it cannot listen: exit 2 at once with one line, before the graph is
loaded and before the report store is created (uvicorn would say so only after both, exit 3)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import stepfree

from worlds import World

WORLD = World("a---b", ways={"ab": {"highway": "footway"}})


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bind-world")
    path = folder / "world.sfg"
    stepfree.build_graph(WORLD.write(folder), path)
    return path


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def serve(graph: Path, tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    db = tmp_path / "reports.sqlite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stepfree",
            "serve",
            "--graph",
            str(graph),
            "--db",
            f"sqlite:///{db}",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "STEPFREE_CACHE": str(tmp_path / "cache")},
    )
    assert not db.exists(), "the report store was created before the bind was checked"
    return result


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("stepfree: error: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_a_busy_port_is_one_line_and_exit_2(
    graph_file: Path, tmp_path: Path, busy_port: int
) -> None:
    result = serve(graph_file, tmp_path, "--port", str(busy_port))
    assert_one_line(result, f"127.0.0.1:{busy_port}", "in use", "--port")


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("999.1.1.1", ("'999.1.1.1'", "not an address", "--host")),
        ("192.0.2.1", ("192.0.2.1", "not an address of this machine")),  # TEST-NET-1
    ],
)
def test_an_address_not_ours_is_one_line_and_exit_2(
    graph_file: Path, tmp_path: Path, host: str, words: tuple[str, ...]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = serve(graph_file, tmp_path, "--host", host, "--port", str(port))
    assert_one_line(result, *words)


def test_the_bind_is_checked_before_the_sample_city_is_built(
    tmp_path: Path, busy_port: int
) -> None:
    # No --graph: the sample city would be built (a minute) into an empty cache first.
    result = subprocess.run(
        [sys.executable, "-m", "stepfree", "serve", "--port", str(busy_port)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "STEPFREE_CACHE": str(tmp_path / "cache")},
    )
    assert_one_line(result, "in use")
    assert not (tmp_path / "cache").exists()

"""The service under test: the sample city built once, real servers on loopback, keys.

``Server`` runs ``stepfree serve`` as a child process on a free loopback port with its own
SQLite file, exactly as a user starts it, and talks to it over real HTTP with httpx.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import stepfree
from stepfree.reports.domain import Role
from stepfree.reports.store import ReportStore

#: Rate limits high enough that only the rate-limit tests ever meet them.
GENEROUS = {
    "STEPFREE_RATE_KEY_PER_S": "100000",
    "STEPFREE_RATE_KEY_BURST": "100000",
    "STEPFREE_RATE_ADDRESS_PER_S": "100000",
    "STEPFREE_RATE_ADDRESS_BURST": "100000",
    "STEPFREE_RATE_WRITE_PER_S": "100000",
    "STEPFREE_RATE_WRITE_BURST": "100000",
}


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``stepfree serve`` in a child process, on loopback."""

    def __init__(
        self,
        graph: Path,
        folder: Path,
        env: dict[str, str] | None = None,
        db: str | None = None,
        workers: int = 1,
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.graph = graph
        self.folder = folder
        self.db = db or f"sqlite:///{folder / 'reports.sqlite'}"
        self.workers = workers
        self.port = free_port()
        self.env = {**os.environ, "STEPFREE_CACHE": str(folder / "cache"), **(env or {})}
        self.log_path = folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "stepfree",
            "serve",
            "--graph",
            str(self.graph),
            "--db",
            self.db,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]

    def start(self, timeout_s: float = 120.0) -> Server:
        """Start and wait until /v1/health answers 200."""
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.command(),
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.starts += 1
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited {self.process.returncode}:\n{self.log()[-3000:]}"
                )
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"server did not start in {timeout_s} s:\n{self.log()[-3000:]}")

    def send_signal(self, sig: int) -> None:
        """Send a signal to the server (and its workers: they share its process group)."""
        assert self.process is not None
        os.killpg(self.process.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout_s: float = 60.0) -> int:
        """Signal and wait for the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.send_signal(sig)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def key(self, role: str, label: str = "") -> str:
        """A new API key of ``role`` in this server's store; its secret."""
        with ReportStore.open(self.db) as store:
            return store.create_key(Role(role), label)[1]


@pytest.fixture(scope="session")
def generous() -> dict[str, str]:
    """Settings that keep the rate limits out of a test's way."""
    return dict(GENEROUS)


@pytest.fixture(scope="session")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample city's graph, built once per test session."""
    path = tmp_path_factory.mktemp("api-graph") / "helsinki.sfg"
    stepfree.build_graph(None, path)
    return path


@pytest.fixture(scope="module")
def server(graph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A running service shared by one module's tests (limits out of their way; its own
    database, so reports from one module never change the routes of another)."""
    running = Server(
        graph_file,
        tmp_path_factory.mktemp("api-server"),
        {**GENEROUS, "STEPFREE_EXPIRE_EVERY_S": "0.2"},
    ).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def keys(server: Server) -> dict[str, str]:
    """One key of each role in the module server's store."""
    return {role.value: server.key(role.value, f"test {role.value}") for role in Role}


@pytest.fixture
def make_server(graph_file: Path, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """A factory of servers with their own settings (``STEPFREE_*``); all stopped at the end."""
    made: list[Server] = []

    def make(env: dict[str, str] | None = None, start: bool = True, **options: object) -> Server:
        folder = tmp_path / f"server{len(made)}"
        created = Server(graph_file, folder, env, **options)  # type: ignore[arg-type]
        made.append(created)
        return created.start() if start else created

    yield make
    for created in made:
        created.kill()

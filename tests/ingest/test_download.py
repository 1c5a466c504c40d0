"""`download_region` against a real HTTP server on loopback that serves a Geofabrik-like tree.

The server implements ``Range: bytes=N-`` with 206 (and 416 past the end), and has switches to
drop the connection mid-transfer (cleanly or with a TCP reset), to ignore ranges, and to stall.
No test touches the internet.
"""

from __future__ import annotations

import hashlib
import random
import re
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from stepfree.errors import BadData, BadInput
from stepfree.ingest.download import download_region, geofabrik_region

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REGION = "asia/kazakhstan"
NAME = "kazakhstan-latest.osm.pbf"
DROP_AFTER = 100_000  # bytes sent before the simulated drop


@dataclass
class ServerState:
    """What the handler serves and how it misbehaves; what it was asked."""

    root: Path
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    drops_left: int = 0  # pbf GETs still to cut after DROP_AFTER bytes
    reset: bool = False  # cut with a TCP reset instead of a clean close
    ignore_range: bool = False  # answer 200 with the whole file to a range request
    stall: bool = False  # send a little of the pbf, then hang until released
    release: threading.Event = field(default_factory=threading.Event)

    def pbf_requests(self) -> list[dict[str, str]]:
        return [headers for path, headers in self.requests if path.endswith(".pbf")]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append((self.path, dict(self.headers)))
        file = state.root / self.path.lstrip("/")
        if not file.is_file():
            self.send_error(404)
            return
        data = file.read_bytes()
        start = 0
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if wanted and not state.ignore_range:
            start = int(wanted.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        is_pbf = file.name.endswith(".pbf")
        if is_pbf and state.drops_left > 0:
            state.drops_left -= 1
            self.wfile.write(body[:DROP_AFTER])
            self._cut()
        elif is_pbf and state.stall:
            self.wfile.write(body[:1000])
            state.release.wait(10)
        else:
            self.wfile.write(body)

    def _cut(self) -> None:
        if self.server.state.reset:  # linger 0: close() sends RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # the last reference to the socket, so close() is real
            self.connection.close()
        else:
            self.connection.shutdown(socket.SHUT_WR)


class _Server(ThreadingHTTPServer):
    state: ServerState


@dataclass
class Site:
    url: str
    state: ServerState

    def publish(self, region: str, data: bytes, md5: str | None = None) -> None:
        """Put ``data`` and its ``.md5`` file where Geofabrik would."""
        path = self.state.root / f"{region}-latest.osm.pbf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        digest = md5 or hashlib.md5(data).hexdigest()
        path.with_name(path.name + ".md5").write_text(f"{digest}  {path.name}\n")


@pytest.fixture(scope="module")
def payload() -> bytes:
    """A real small extract when the shared data is here, else random bytes of similar size."""
    monaco = SHARED / "osm" / "monaco_2023-12-26.osm.pbf"
    if monaco.is_file():
        return monaco.read_bytes()
    return random.Random(7).randbytes(537_903)


@pytest.fixture
def site(tmp_path: Path, payload: bytes) -> Iterator[Site]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = ServerState(root=tmp_path / "www")
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    site = Site(f"http://127.0.0.1:{server.server_port}", server.state)
    site.publish(REGION, payload)
    try:
        yield site
    finally:
        server.state.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def test_full_download_matches_checksum(site: Site, tmp_path: Path, payload: bytes) -> None:
    seen: list[tuple[str, int]] = []
    dest = tmp_path / "dl"
    path = download_region(REGION, dest, site.url, lambda phase, n: seen.append((phase, n)))
    assert path == dest / NAME
    assert path.read_bytes() == payload
    assert sorted(p.name for p in dest.iterdir()) == [NAME]  # no .part, no note left behind
    assert [p for p, _ in site.state.requests] == [f"/{REGION}-latest.osm.pbf.md5",
                                                   f"/{REGION}-latest.osm.pbf"]
    (headers,) = site.state.pbf_requests()
    assert "Range" not in headers
    assert headers["User-Agent"].startswith("stepfree/")
    assert ("downloading", len(payload)) in seen
    assert seen[-1] == ("verifying", len(payload))


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
def test_resume_after_dropped_connection(
    site: Site, tmp_path: Path, payload: bytes, reset: bool
) -> None:
    site.state.drops_left, site.state.reset = 1, reset
    dest = tmp_path / "dl"
    with pytest.raises(BadData, match=r"partial file .* is kept; run the command again to resume"
                       ) as caught:
        download_region(REGION, dest, site.url)
    assert "\n" not in str(caught.value)
    part = dest / f"{NAME}.part"
    # Linux hands over the bytes queued before a reset, so both cuts keep all that was sent.
    assert part.stat().st_size == DROP_AFTER
    assert not (dest / NAME).exists()

    path = download_region(REGION, dest, site.url)
    first, second = site.state.pbf_requests()
    assert "Range" not in first
    assert second["Range"] == f"bytes={DROP_AFTER}-"
    assert path.read_bytes() == payload
    assert not part.exists()


def test_server_ignoring_range_restarts_from_zero(
    site: Site, tmp_path: Path, payload: bytes
) -> None:
    site.state.drops_left = 1
    dest = tmp_path / "dl"
    with pytest.raises(BadData):
        download_region(REGION, dest, site.url)
    site.state.ignore_range = True
    path = download_region(REGION, dest, site.url)
    assert site.state.pbf_requests()[1]["Range"] == f"bytes={DROP_AFTER}-"  # asked, got 200
    assert path.read_bytes() == payload  # not the kept prefix followed by the whole file


def test_checksum_mismatch_deletes_part(site: Site, tmp_path: Path, payload: bytes) -> None:
    site.publish(REGION, payload, md5="0" * 32)
    dest = tmp_path / "dl"
    got = hashlib.md5(payload).hexdigest()
    expected = f"checksum mismatch for {NAME}: expected {'0' * 32}, got {got}; run the command"
    with pytest.raises(BadData, match=expected):
        download_region(REGION, dest, site.url)
    assert list(dest.iterdir()) == []


def test_malformed_checksum_file_is_bad_data(site: Site, tmp_path: Path, payload: bytes) -> None:
    site.publish(REGION, payload, md5="<html>")
    with pytest.raises(BadData, match="does not start with an MD5"):
        download_region(REGION, tmp_path / "dl", site.url)
    assert site.state.pbf_requests() == []


def test_unknown_region_is_bad_input(site: Site, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match=r"'asia/atlantis'.*404.*https://download\.geofabrik\.de/"):
        download_region("asia/atlantis", tmp_path / "dl", site.url)


@pytest.mark.parametrize(
    "region",
    ["", "../etc/passwd", "asia/../europe", "asia//kazakhstan", "/asia", "asia/",
     "asia kazakhstan", "asia/kazakhstan?x=1", "asia\\kazakhstan", "asia/kazakhstan.osm.pbf",
     "http://evil.example/x"],
)
def test_malformed_region_is_bad_input(site: Site, tmp_path: Path, region: str) -> None:
    with pytest.raises(BadInput, match="not a Geofabrik path"):
        download_region(region, tmp_path / "dl", site.url)
    assert site.state.requests == []


def test_present_file_is_not_downloaded_again(site: Site, tmp_path: Path, payload: bytes) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / NAME).write_bytes(payload)
    before = (dest / NAME).stat().st_mtime_ns
    assert download_region(REGION, dest, site.url) == dest / NAME
    assert site.state.pbf_requests() == []  # only the .md5 was fetched
    assert (dest / NAME).stat().st_mtime_ns == before


def test_outdated_file_is_replaced(site: Site, tmp_path: Path, payload: bytes) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / NAME).write_bytes(b"yesterday's extract")
    assert download_region(REGION, dest, site.url).read_bytes() == payload


def test_complete_part_answered_416_is_kept(site: Site, tmp_path: Path, payload: bytes) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / f"{NAME}.part").write_bytes(payload)
    (dest / f"{NAME}.part.md5").write_text(hashlib.md5(payload).hexdigest())
    assert download_region(REGION, dest, site.url).read_bytes() == payload
    (headers,) = site.state.pbf_requests()
    assert headers["Range"] == f"bytes={len(payload)}-"


def test_overlong_part_answered_416_restarts(site: Site, tmp_path: Path, payload: bytes) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / f"{NAME}.part").write_bytes(payload + b"junk")
    (dest / f"{NAME}.part.md5").write_text(hashlib.md5(payload).hexdigest())
    assert download_region(REGION, dest, site.url).read_bytes() == payload
    assert [("Range" in h) for h in site.state.pbf_requests()] == [True, False]


def test_part_of_an_older_build_is_not_resumed(site: Site, tmp_path: Path, payload: bytes) -> None:
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / f"{NAME}.part").write_bytes(b"x" * 5000)
    (dest / f"{NAME}.part.md5").write_text("f" * 32)  # started against another day's extract
    assert download_region(REGION, dest, site.url).read_bytes() == payload
    (headers,) = site.state.pbf_requests()
    assert "Range" not in headers


def test_stalled_server_times_out(site: Site, tmp_path: Path) -> None:
    site.state.stall = True
    with pytest.raises(BadData, match=r"timed out.*run the command again"):
        download_region(REGION, tmp_path / "dl", site.url, timeout_s=0.3)
    assert not (tmp_path / "dl" / NAME).exists()


def test_refused_connection_is_bad_data(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BadData, match="nothing was saved; run the command again"):
        download_region(REGION, tmp_path / "dl", f"http://127.0.0.1:{port}")


def test_city_preset_maps_to_geofabrik_region(
    site: Site, tmp_path: Path, payload: bytes
) -> None:
    assert geofabrik_region("astana") == "asia/kazakhstan"
    assert geofabrik_region("helsinki") == "europe/finland"
    path = download_region("astana", tmp_path / "dl", site.url)
    assert path.name == NAME
    assert path.read_bytes() == payload
    assert site.state.requests[-1][0] == "/asia/kazakhstan-latest.osm.pbf"


def test_bad_base_url_and_destination(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="must start with http"):
        download_region(REGION, tmp_path, "ftp://example.org")
    (tmp_path / "file").write_text("")
    with pytest.raises(BadInput, match="is a file"):
        download_region(REGION, tmp_path / "file", "http://127.0.0.1:9")

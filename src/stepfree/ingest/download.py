"""Download a Geofabrik extract: resumable, checked against the published MD5, renamed atomically.

Geofabrik publishes each region as ``{base}/{region}-latest.osm.pbf`` with a checksum file
``{base}/{region}-latest.osm.pbf.md5`` holding ``"<hex>  <filename>"``. The download goes to
``<name>-latest.osm.pbf.part`` next to a small ``.part.md5`` note of the checksum it was started
against. A later run resumes the part with an HTTP ``Range`` request, unless the published
checksum has changed since (Geofabrik rebuilds ``-latest`` daily; bytes of two builds must not be
stitched together). Only a file whose MD5 matches is renamed to its final name, so a file with
the final name is always complete.

Standard library only (``urllib.request``): one less dependency for a command run once per city.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from stepfree.cities import city, city_names
from stepfree.errors import BadData, BadInput

GEOFABRIK_URL = "https://download.geofabrik.de"
CHUNK_BYTES = 1 << 20  # 1 MiB per read and write: few system calls, small memory
TIMEOUT_S = 60.0  # per blocking socket operation, not for the whole transfer
# Geofabrik region paths: "asia", "asia/kazakhstan", "europe/germany/berlin", "us/new-york".
_REGION = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
_MD5 = re.compile(r"[0-9a-fA-F]{32}")
# What a dropped, reset or stalled connection raises (socket.timeout is TimeoutError, an OSError).
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, OSError)

Progress = Callable[[str, int], None]


def _quiet(_phase: str, _count: int) -> None:
    return None


def geofabrik_region(region: str) -> str:
    """The Geofabrik path for ``region``: a city preset key is mapped, a path is validated.

    Parameters
    ----------
    region
        A Geofabrik path such as ``asia/kazakhstan``, or a city preset key (``astana``).

    Returns
    -------
    str
        The Geofabrik path, e.g. ``asia/kazakhstan`` for ``astana``.

    Raises
    ------
    BadInput
        The string has characters other than letters, digits, ``-``, ``_`` and ``/``.
    """
    if region in city_names():
        return city(region).geofabrik_region
    if not _REGION.fullmatch(region):
        raise BadInput(
            f"region {region!r} is not a Geofabrik path; use letters, digits, '-', '_' and '/' "
            "only, for example asia/kazakhstan (names: https://download.geofabrik.de/)"
        )
    return region


def file_md5(path: Path) -> str:
    """Hex MD5 of a file, read in 1 MiB blocks."""
    digest = hashlib.md5(usedforsecurity=False)  # Geofabrik publishes MD5; integrity, not trust
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(block)
    return digest.hexdigest()


def _network_failure(url: str, error: BaseException, part: Path) -> BadData:
    reason = str(getattr(error, "reason", None) or error) or type(error).__name__
    if part.is_file() and part.stat().st_size > 0:
        kept = f"the partial file {part} is kept; run the command again to resume"
    else:
        kept = "nothing was saved; run the command again to retry"
    return BadData(f"download of {url} failed ({reason}); {kept}")


def _user_agent() -> str:
    """Say who is asking, as Geofabrik's usage notes ask of scripted downloads."""
    try:
        version = metadata.version("stepfree")
    except metadata.PackageNotFoundError:  # running from a source tree without an install
        version = "dev"
    return f"stepfree/{version} (OpenStreetMap extract downloader; Python urllib)"


def _open(
    url: str, region: str, part: Path, offset: int, timeout_s: float
) -> http.client.HTTPResponse | None:
    """Open ``url`` from byte ``offset``; None when the server says the range is past the end."""
    headers = {"User-Agent": _user_agent()}
    if offset > 0:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response: http.client.HTTPResponse = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code == 404:
            raise BadInput(
                f"no extract named {region!r} ({url} answered 404 Not Found); see "
                "https://download.geofabrik.de/ for the list of region names, e.g. asia/kazakhstan"
            ) from None
        if error.code == 416 and offset > 0:
            return None
        raise BadData(
            f"download of {url} failed: the server answered {error.code} {error.reason}; "
            "run the command again later"
        ) from None
    except _NETWORK_ERRORS as error:
        raise _network_failure(url, error, part) from None
    return response


def _published_md5(url: str, region: str, part: Path, timeout_s: float) -> str:
    response = _open(url, region, part, 0, timeout_s)
    if response is None:  # only a range request can be answered 416; this one asks for none
        raise BadData(f"download of {url} failed: the server refused the whole file")
    with response:
        try:
            text = response.read(4096).decode("ascii", errors="replace")
        except _NETWORK_ERRORS as error:
            raise _network_failure(url, error, part) from None
    fields = text.split()
    if not fields or not _MD5.fullmatch(fields[0]):
        raise BadData(
            f"checksum file {url} does not start with an MD5 ({text[:60]!r}); "
            "run the command again later, or check --base-url"
        )
    return fields[0].lower()


def _start_offset(part: Path, note: Path, expected_md5: str) -> int:
    """Bytes of ``part`` to keep: all of them if it was started against the same checksum."""
    noted = note.read_text(encoding="ascii", errors="replace").strip() if note.is_file() else ""
    if part.is_file() and noted == expected_md5:
        return part.stat().st_size
    part.unlink(missing_ok=True)  # absent, or from another build of the extract
    note.write_text(expected_md5 + "\n", encoding="ascii")
    return 0


def _content_range_start(response: http.client.HTTPResponse) -> int | None:
    match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", response.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else None


def _transfer(
    url: str, region: str, part: Path, offset: int, timeout_s: float, progress: Progress
) -> bool:
    """Append the rest of ``url`` to ``part``. False when the server says it is already whole."""
    response = _open(url, region, part, offset, timeout_s)
    if response is None:  # 416: nothing after ``offset``, the part is complete (or too long)
        return False
    with response:
        if response.status == 206 and _content_range_start(response) != offset:
            if offset == 0:
                raise BadData(
                    f"download of {url} failed: the server sent a part of the file "
                    "that was not asked for; check --base-url"
                )
            response.close()  # a part we did not ask for: take the whole file instead
            return _transfer(url, region, part, 0, timeout_s, progress)
        if response.status != 206:
            offset = 0  # the server ignored the range and sends the whole file: start afresh
        length = response.headers.get("Content-Length")
        expected_end = offset + int(length) if length and length.isdigit() else None
        done = offset
        progress("downloading", done)
        with part.open("r+b" if offset else "wb") as out:
            out.seek(offset)
            out.truncate()
            while True:
                try:
                    chunk = response.read1(CHUNK_BYTES)
                except _NETWORK_ERRORS as error:
                    out.flush()
                    raise _network_failure(url, error, part) from None
                if not chunk:
                    break
                try:
                    out.write(chunk)
                except OSError as error:  # disk full, permissions: not the network's fault
                    raise BadData(
                        f"cannot write {part} ({error}); free some space or "
                        "choose another folder with -d, then run again"
                    ) from None
                done += len(chunk)
                progress("downloading", done)
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the rename makes them final
    if expected_end is not None and done < expected_end:
        closed = ConnectionError(f"connection closed after {done:,} of {expected_end:,} bytes")
        raise _network_failure(url, closed, part)
    return True


def download_region(
    region: str,
    dest_dir: Path,
    base_url: str = GEOFABRIK_URL,
    progress: Progress | None = None,
    *,
    timeout_s: float = TIMEOUT_S,
) -> Path:
    """Download ``{base_url}/{region}-latest.osm.pbf`` into ``dest_dir``, resuming and checking it.

    Parameters
    ----------
    region
        A Geofabrik path (``asia/kazakhstan``) or a city preset key (``astana``).
    dest_dir
        Folder for the file; created if missing, once the published checksum has been read.
    base_url
        Server root holding the Geofabrik layout (a mirror, or a test server).
    progress
        Called as ``progress("downloading", bytes_so_far)``; also ``("verifying", bytes)``.
    timeout_s
        Seconds one blocking network operation may take before the download is abandoned.

    Returns
    -------
    Path
        ``dest_dir/<name>-latest.osm.pbf``, whose MD5 matches the published one.

    Raises
    ------
    BadInput
        A malformed region, an unknown one (HTTP 404), or a ``dest_dir`` that is a file.
    BadData
        A network failure (the partial file is kept for the next run) or a checksum mismatch
        (the partial file is deleted).
    """
    progress = progress or _quiet
    path = geofabrik_region(region)
    if not base_url.startswith(("http://", "https://")):
        raise BadInput(f"base URL {base_url!r} must start with http:// or https://")
    url = f"{base_url.rstrip('/')}/{path}-latest.osm.pbf"
    dest_dir = Path(dest_dir)
    if dest_dir.exists() and not dest_dir.is_dir():
        raise BadInput(f"download folder {dest_dir} is a file; give a folder with -d")
    final = dest_dir / url.rsplit("/", 1)[1]
    part = final.with_name(final.name + ".part")
    note = final.with_name(final.name + ".part.md5")

    expected = _published_md5(url + ".md5", region, part, timeout_s)
    # Only now, with the region known to exist and the server answering: a download that
    # fails at once (a typo in the region, no network) leaves no empty folder behind.
    dest_dir.mkdir(parents=True, exist_ok=True)
    if final.is_file():
        progress("verifying", final.stat().st_size)
        if file_md5(final) == expected:
            return final
    offset = _start_offset(part, note, expected)
    past_end = not _transfer(url, region, part, offset, timeout_s, progress)
    progress("verifying", part.stat().st_size)
    got = file_md5(part)
    if past_end and got != expected:  # 416 on a part longer than the file, or garbled: afresh
        _transfer(url, region, part, 0, timeout_s, progress)
        progress("verifying", part.stat().st_size)
        got = file_md5(part)
    if got != expected:
        part.unlink(missing_ok=True)
        note.unlink(missing_ok=True)
        raise BadData(
            f"checksum mismatch for {final.name}: expected {expected}, got {got}; "
            "run the command again to download it afresh"
        )
    os.replace(part, final)  # atomic on one file system: the final name is never half-written
    note.unlink(missing_ok=True)
    return final

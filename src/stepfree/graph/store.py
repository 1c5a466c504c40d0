"""The graph file: one versioned binary file, written atomically, memory-mapped on load.

Layout (little-endian)::

    0   16 bytes  magic  b"STEPFREE-GRAPH\\0\\0"
    16  u32       format version
    20  u32       CRC-32 of the header JSON
    24  u64       header length in bytes
    32  u64       data length in bytes
    40  u32       CRC-32 of the data section
    44  20 bytes  zero padding
    64  header    UTF-8 JSON: meta, string table, and for each array its name, dtype, shape
                  and offset within the data section
    ..  data      the arrays, each aligned to 64 bytes, starting at a 64-byte boundary

A file is first written beside the target under a temporary name, flushed and fsynced, then
renamed over the target, so a reader sees the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from stepfree.errors import BadInput, GraphFormatError
from stepfree.graph.model import Graph

MAGIC = b"STEPFREE-GRAPH\0\0"
#: 2: names of the roads crossed at crossing nodes; 3: geom.osm_id (every OSM node along an
#: edge), node.kerb_problem, edge.surface_value and edge.crossing_markings_value
FORMAT_VERSION = 3
ALIGN = 64
_PREFIX = struct.Struct("<16sIIQQI20x")  # 64 bytes


def _aligned(size: int) -> int:
    return -(-size // ALIGN) * ALIGN


def save_graph(graph: Graph, path: Path) -> Path:
    """Write ``graph`` to ``path`` atomically. Returns the path."""
    path = Path(path)
    if path.is_dir():
        raise BadInput(f"output {path} is a directory; give a file name such as city.sfg")
    if not path.parent.is_dir():
        raise BadInput(f"output folder {path.parent} does not exist; create it first")
    entries, offset = [], 0
    names = sorted(graph.arrays)
    contiguous = {name: np.ascontiguousarray(graph.arrays[name]) for name in names}
    for name in names:
        array = contiguous[name]
        entries.append(
            {"name": name, "dtype": array.dtype.str, "shape": list(array.shape), "offset": offset}
        )
        offset = _aligned(offset + array.nbytes)
    data_len = offset
    header = json.dumps(
        {"meta": graph.meta, "strings": list(graph.strings), "arrays": entries},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")
    header_padded = header + b" " * (
        _aligned(_PREFIX.size + len(header)) - _PREFIX.size - len(header)
    )
    data_crc = 0
    for name in names:  # CRC over the data section as laid out, padding included
        data_crc = zlib.crc32(contiguous[name].view(np.uint8).reshape(-1).data, data_crc)
        data_crc = zlib.crc32(
            bytes(_aligned(contiguous[name].nbytes) - contiguous[name].nbytes), data_crc
        )
    prefix = _PREFIX.pack(
        MAGIC, FORMAT_VERSION, zlib.crc32(header_padded), len(header_padded), data_len, data_crc
    )
    temp = path.with_name(f".{path.name}.{os.getpid()}.sfg.tmp")
    try:
        with temp.open("wb") as handle:
            handle.write(prefix)
            handle.write(header_padded)
            for name in names:
                array = contiguous[name]
                handle.write(array.view(np.uint8).reshape(-1).data)
                handle.write(bytes(_aligned(array.nbytes) - array.nbytes))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return path


def load_graph(path: Path, verify: bool = True) -> Graph:
    """Memory-map a graph file.

    Parameters
    ----------
    path
        A file written by :func:`save_graph`.
    verify
        Check the CRC of the data section (a few ms per 10 MB). The header is always checked.
    """
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"graph file {path} does not exist; build one with 'stepfree build'")
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < _PREFIX.size:
            raise GraphFormatError(
                f"{path} is not a stepfree graph (too short); rebuild it with 'stepfree build'"
            )
        buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    magic, version, header_crc, header_len, data_len, data_crc = _PREFIX.unpack_from(buffer, 0)
    if magic != MAGIC:
        raise GraphFormatError(
            f"{path} is not a stepfree graph file; build one with 'stepfree build'"
        )
    if version != FORMAT_VERSION:
        raise GraphFormatError(
            f"{path} has graph format version {version}, this stepfree reads version "
            f"{FORMAT_VERSION}; rebuild it with 'stepfree build' from the source OSM file"
        )
    data_start = _PREFIX.size + header_len
    if size != data_start + data_len:
        raise GraphFormatError(
            f"{path} is truncated or corrupt ({size} bytes, expected "
            f"{data_start + data_len}); rebuild it with 'stepfree build'"
        )
    header_bytes = buffer[_PREFIX.size : data_start]
    if zlib.crc32(header_bytes) != header_crc:
        raise GraphFormatError(f"{path} has a corrupt header; rebuild it with 'stepfree build'")
    data = memoryview(buffer)[data_start:]
    if verify and zlib.crc32(data) != data_crc:
        raise GraphFormatError(
            f"{path} has corrupt data (checksum mismatch); rebuild it with 'stepfree build'"
        )
    header: dict[str, Any] = json.loads(header_bytes)
    arrays = {}
    for entry in header["arrays"]:
        dtype = np.dtype(entry["dtype"])
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        array = np.frombuffer(data, dtype=dtype, count=count, offset=entry["offset"])
        arrays[entry["name"]] = array.reshape(entry["shape"])
    return Graph(arrays=arrays, meta=header["meta"], strings=tuple(header["strings"]))

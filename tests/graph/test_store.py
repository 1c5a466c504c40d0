"""The graph file: round trip, atomic write, versions and corruption."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import stepfree
from stepfree.errors import GraphFormatError
from stepfree.graph.model import Graph
from stepfree.graph.store import FORMAT_VERSION, load_graph, save_graph


def test_round_trip_is_exact(sample_graph: Graph, tmp_path: Path) -> None:
    path = save_graph(sample_graph, tmp_path / "g.sfg")
    loaded = load_graph(path)
    assert set(loaded.arrays) == set(sample_graph.arrays)
    for name, array in sample_graph.arrays.items():
        np.testing.assert_array_equal(loaded.arrays[name], array, err_msg=name)
        assert loaded.arrays[name].dtype == array.dtype
    assert loaded.strings == sample_graph.strings
    assert loaded.meta == sample_graph.meta


def test_loaded_arrays_are_memory_mapped_and_read_only(sample_graph: Graph, tmp_path: Path) -> None:
    loaded = load_graph(save_graph(sample_graph, tmp_path / "g.sfg"))
    array = loaded.edge("length_m")
    assert not array.flags.writeable
    assert not array.flags.owndata  # a view on the mapped file, not a copy


def test_file_carries_source_checksum_and_settings(sample_graph: Graph) -> None:
    source = sample_graph.meta["source"]
    assert source["name"] == "helsinki_2019-04.osm.pbf"
    assert len(source["sha256"]) == 64
    assert sample_graph.meta["settings"]["area"] == {"label": "whole file"}


def test_write_leaves_no_temporary_file(sample_graph: Graph, tmp_path: Path) -> None:
    save_graph(sample_graph, tmp_path / "g.sfg")
    assert [p.name for p in tmp_path.iterdir()] == ["g.sfg"]


def test_failed_write_keeps_the_old_file(sample_graph: Graph, tmp_path: Path) -> None:
    path = save_graph(sample_graph, tmp_path / "g.sfg")
    before = path.read_bytes()
    broken = Graph(
        arrays={**sample_graph.arrays, "edge.bad": object()},  # type: ignore[dict-item]
        meta=sample_graph.meta,
        strings=sample_graph.strings,
    )
    with pytest.raises((TypeError, ValueError, AttributeError)):
        save_graph(broken, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["g.sfg"]


def test_other_format_version_is_refused(sample_graph: Graph, tmp_path: Path) -> None:
    path = save_graph(sample_graph, tmp_path / "g.sfg")
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 16, FORMAT_VERSION + 1)
    path.write_bytes(bytes(data))
    with pytest.raises(GraphFormatError, match=rf"format version {FORMAT_VERSION + 1}.*rebuild"):
        load_graph(path)


@pytest.mark.parametrize("damage", ["truncate", "flip_data", "flip_header", "garbage", "empty"])
def test_corrupt_file_is_refused(sample_graph: Graph, tmp_path: Path, damage: str) -> None:
    path = save_graph(sample_graph, tmp_path / "g.sfg")
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "flip_data":
        data[-100] ^= 0xFF
    elif damage == "flip_header":
        data[80] ^= 0x01
    elif damage == "garbage":
        data = bytearray(b"not a graph" * 10)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(GraphFormatError, match="'stepfree build'"):
        load_graph(path)


def test_public_load_uses_the_same_format(sample_graph: Graph, tmp_path: Path) -> None:
    path = save_graph(sample_graph, tmp_path / "g.sfg")
    assert stepfree.load_graph(path).n_edges == sample_graph.n_edges

"""Ways as the readers hand them to the builder: one record each, or one flat table for many.

A city of a million nodes has hundreds of thousands of ways; three small numpy arrays per way
cost about a kilobyte each in Python objects. The reader therefore appends node ids and
coordinates to flat buffers (``WayTableBuilder``) and the builder reads one ``WayTable``.
``WayRecord`` stays for small inputs and tests.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass
class WayRecord:
    """A walkable way (or the part of one inside the area)."""

    osm_id: int
    attrs: dict[str, Any]
    node_ids: np.ndarray  # int64, OSM node ids in drawing order
    lon: np.ndarray  # float64 degrees
    lat: np.ndarray


@dataclass(frozen=True)
class WayTable:
    """Many ways in flat arrays: way ``i`` holds positions ``offsets[i]:offsets[i+1]``."""

    osm_ids: np.ndarray  # int64 per way
    offsets: np.ndarray  # int64, n_ways + 1
    node_ids: np.ndarray  # int64 per position
    lon: np.ndarray  # float64 per position
    lat: np.ndarray
    attrs: tuple[dict[str, Any], ...]  # the distinct attribute dicts
    attrs_index: np.ndarray  # int32 per way, into ``attrs``

    def __len__(self) -> int:
        return int(self.osm_ids.shape[0])

    @classmethod
    def from_records(cls, ways: list[WayRecord]) -> WayTable:
        """Flatten records (ways sharing one attrs dict share its index)."""
        distinct: dict[int, int] = {}
        attrs: list[dict[str, Any]] = []
        index = np.empty(len(ways), dtype=np.int32)
        for i, way in enumerate(ways):
            key = id(way.attrs)
            if key not in distinct:
                distinct[key] = len(attrs)
                attrs.append(way.attrs)
            index[i] = distinct[key]
        lengths = np.fromiter((w.node_ids.shape[0] for w in ways), np.int64, len(ways))
        return cls(
            osm_ids=np.fromiter((w.osm_id for w in ways), np.int64, len(ways)),
            offsets=np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            node_ids=np.concatenate([w.node_ids for w in ways]).astype(np.int64),
            lon=np.concatenate([w.lon for w in ways]).astype(np.float64),
            lat=np.concatenate([w.lat for w in ways]).astype(np.float64),
            attrs=tuple(attrs),
            attrs_index=index,
        )


class WayTableBuilder:
    """Appends ways to flat buffers (C arrays, no Python object per way or per node)."""

    def __init__(self) -> None:
        self._osm_ids = array("q")
        self._offsets = array("q", [0])
        self._node_ids = array("q")
        self._lon = array("d")
        self._lat = array("d")
        self._attrs: list[dict[str, Any]] = []
        self._attrs_of: dict[int, int] = {}
        self._attrs_index = array("i")

    def __len__(self) -> int:
        return len(self._osm_ids)

    def append(self, osm_id: int, attrs: dict[str, Any], node_ids: Any, lon: Any, lat: Any) -> None:
        """Add one way (sequences of equal length)."""
        key = id(attrs)
        if key not in self._attrs_of:
            self._attrs_of[key] = len(self._attrs)
            self._attrs.append(attrs)
        self._osm_ids.append(osm_id)
        self._node_ids.extend(node_ids)
        self._lon.extend(lon)
        self._lat.extend(lat)
        self._offsets.append(len(self._node_ids))
        self._attrs_index.append(self._attrs_of[key])

    def build(self) -> WayTable:
        """The table (the buffers are handed over, not copied)."""
        return WayTable(
            osm_ids=np.frombuffer(self._osm_ids, dtype=np.int64),
            offsets=np.frombuffer(self._offsets, dtype=np.int64),
            node_ids=np.frombuffer(self._node_ids, dtype=np.int64),
            lon=np.frombuffer(self._lon, dtype=np.float64),
            lat=np.frombuffer(self._lat, dtype=np.float64),
            attrs=tuple(self._attrs),
            attrs_index=np.frombuffer(self._attrs_index, dtype=np.int32),
        )

"""The area kept from an input file: everything, a bbox, a polygon, or a city preset's bbox."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import shapely

# shapely is imported where a polygon is used, so clipping by bbox (or not at all) stays lean

from stepfree.errors import BadInput


@dataclass(frozen=True)
class Area:
    """A clipping area in WGS 84. ``bbox`` is (west, south, east, north); ``polygon`` optional."""

    bbox: tuple[float, float, float, float] | None = None
    polygon: shapely.Geometry | None = None
    label: str = "whole file"

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Vectorised point-in-area test."""
        inside = np.ones(lon.shape, dtype=bool)
        if self.bbox is not None:
            west, south, east, north = self.bbox
            inside &= (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        if self.polygon is not None and inside.any():
            import shapely

            inside[inside] = shapely.contains_xy(self.polygon, lon[inside], lat[inside])
        return inside

    def describe(self) -> dict[str, object]:
        """Settings record for the graph file."""
        out: dict[str, object] = {"label": self.label}
        if self.bbox is not None:
            out["bbox"] = list(self.bbox)
        if self.polygon is not None:
            import shapely

            out["polygon_wkt"] = shapely.to_wkt(self.polygon, rounding_precision=7)
        return out


EVERYTHING = Area()


def area_from_bbox(text: str) -> Area:
    """Parse ``W,S,E,N`` in degrees."""
    parts = text.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadInput(
            f"--bbox {text!r} is not four numbers; give it as W,S,E,N in degrees, "
            "for example --bbox 71.35,51.08,71.55,51.20"
        ) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadInput(
            f"--bbox {text!r} is not a box: need -180 <= W < E <= 180 and -90 <= S < N <= 90 "
            "(order W,S,E,N)"
        )
    return Area(bbox=(west, south, east, north), label=f"bbox {west},{south},{east},{north}")


def area_from_geojson(path: Path) -> Area:
    """Read a polygon (or multipolygon) from a GeoJSON file: a geometry, Feature or collection."""
    import shapely
    from shapely.geometry import shape

    if not path.is_file():
        raise BadInput(f"polygon file {path} does not exist; give a GeoJSON file with a Polygon")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("type") == "FeatureCollection":
            geoms = [shape(f["geometry"]) for f in data["features"]]
        elif data.get("type") == "Feature":
            geoms = [shape(data["geometry"])]
        else:
            geoms = [shape(data)]
    except (ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException) as err:
        raise BadInput(f"{path} is not a readable GeoJSON polygon ({err})") from None
    polygons = [g for g in geoms if g.geom_type in {"Polygon", "MultiPolygon"}]
    if not polygons:
        raise BadInput(f"{path} holds no Polygon or MultiPolygon; draw the area as a polygon")
    polygon = shapely.make_valid(shapely.union_all(polygons))
    shapely.prepare(polygon)
    west, south, east, north = polygon.bounds
    return Area(bbox=(west, south, east, north), polygon=polygon, label=f"polygon {path.name}")

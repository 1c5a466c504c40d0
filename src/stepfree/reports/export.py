"""Reports out (GeoJSON, CSV for OSM notes) and in (a GeoJSON file applied to a route).

The GeoJSON is a FeatureCollection of the reports with all their fields as properties. The CSV
has the three columns mappers turn into OpenStreetMap notes (``lat,lon,text``) and the report's
``status``, so a rejected or resolved report is never mistaken for a live barrier (tools that
read columns by name ignore the fourth). It is written by the csv module, so text with commas,
quotes and line breaks survives a round trip.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from stepfree.errors import BadData
from stepfree.graph.model import Graph
from stepfree.reports.domain import EARLIEST, LATEST, Report, ReportIn, ReportStatus, check_place

CSV_COLUMNS = ("lat", "lon", "text", "status")
COORDINATE_DECIMALS = 7  # 1e-7 degrees is about 1 cm: as precise as OSM stores coordinates


def _geometry(report: Report, graph: Graph | None) -> dict[str, Any] | None:
    if report.lat is not None and report.lon is not None:
        return {"type": "Point", "coordinates": [report.lon, report.lat]}
    if graph is None:
        return None
    if report.osm_node_id is not None:
        node = graph.node_index(report.osm_node_id)
        if node is None:
            return None
        lon, lat = float(graph.node("lon")[node]), float(graph.node("lat")[node])
        return {"type": "Point", "coordinates": [lon, lat]}
    if report.osm_way_id is not None:
        lines = [graph.edge_coords(int(e)).tolist() for e in graph.edges_of_way(report.osm_way_id)]
        return {"type": "MultiLineString", "coordinates": lines} if lines else None
    return None


def _point(geometry: Mapping[str, Any] | None) -> tuple[float, float] | None:
    """A (lat, lon) for a note: the point, or the middle vertex of a way's lines."""
    if geometry is None:
        return None
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return lat, lon
    vertices = [vertex for line in geometry["coordinates"] for vertex in line]
    lon, lat = vertices[len(vertices) // 2]
    return lat, lon


def reports_geojson(reports: Iterable[Report], graph: Graph | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of reports.

    Reports placed by OSM id get the node's point or the way's lines when ``graph`` is given,
    else a null geometry (which GeoJSON allows).
    """
    features = []
    for report in reports:
        properties = report.model_dump(mode="json", exclude={"lat", "lon"})
        features.append(
            {
                "type": "Feature",
                "id": report.id,
                "geometry": _geometry(report, graph),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def note_text(report: Report) -> str:
    """The text of an OSM note for a report."""
    window = f"[valid {_minute(report.valid_from)}..{_minute(report.valid_until)}]"
    head = f"stepfree report #{report.id} ({report.type.value})"
    if report.description:
        return f"{head}: {report.description} {window}"
    return f"{head} {window}"


def reports_csv(reports: Iterable[Report], graph: Graph | None = None) -> str:
    """CSV (``lat,lon,text,status``) for OSM notes; reports without a known position are
    left out."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        point = _point(_geometry(report, graph))
        if point is None:
            continue
        lat, lon = point
        writer.writerow(
            (
                f"{lat:.{COORDINATE_DECIMALS}f}",
                f"{lon:.{COORDINATE_DECIMALS}f}",
                note_text(report),
                report.status.value,
            )
        )
    return buffer.getvalue()


def reports_from_geojson(document: Mapping[str, Any]) -> list[Report]:
    """Reports from a GeoJSON FeatureCollection (an export, or a file drawn by hand).

    Each feature needs ``properties.type`` and a place: a Point geometry, or ``osm_node_id`` /
    ``osm_way_id`` properties. Missing fields default to an approved report valid at all times;
    features without an id get negative ids (-1, -2...) so they never collide with stored ones.

    Raises
    ------
    BadData
        Naming the first feature that cannot be read and why.
    """
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise BadData("a reports file must be a GeoJSON FeatureCollection")
    features = document.get("features")
    if not isinstance(features, list):
        raise BadData("a reports file needs a list of features")
    return [_report_from_feature(number, feature) for number, feature in enumerate(features, 1)]


def _report_from_feature(number: int, feature: Any) -> Report:
    try:
        properties = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        place: dict[str, Any] = {
            "osm_node_id": properties.get("osm_node_id"),
            "osm_way_id": properties.get("osm_way_id"),
        }
        if place["osm_node_id"] is None and place["osm_way_id"] is None:
            if not geometry or geometry.get("type") != "Point":
                raise ValueError("needs a Point geometry or an osm_node_id/osm_way_id property")
            lon, lat = geometry["coordinates"][:2]
            place.update(lat=lat, lon=lon)
        data = ReportIn.model_validate(
            {
                "type": properties.get("type"),
                "description": properties.get("description") or "",
                **place,
            }
        )
        check_place(data)
        now = datetime.now(UTC)
        identifier = feature.get("id", properties.get("id"))
        return Report.model_validate(
            {
                **data.model_dump(exclude={"valid_from", "valid_until"}),
                "id": -number if identifier is None else identifier,
                "valid_from": properties.get("valid_from") or EARLIEST,
                "valid_until": properties.get("valid_until") or LATEST,
                "status": properties.get("status") or ReportStatus.approved,
                "confirmations": properties.get("confirmations") or 0,
                "source": properties.get("source") or "file",
                "created_at": properties.get("created_at") or now,
                "updated_at": properties.get("updated_at") or now,
            }
        )
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "feature"
        raise BadData(f"reports file, feature {number}: {where}: {first['msg']}") from None
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BadData(f"reports file, feature {number}: {message}") from None


def _minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")

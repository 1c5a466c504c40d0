"""The answer types (`stepfree.answers`) say exactly what the library and the CLI give.

Every answer is validated by pydantic's ``TypeAdapter`` with the types' own config: a member
the type does not name is refused, a member it requires must be there with a value of its
type. The CLI's JSON (``route --format json``, ``isochrone``, ``inspect --json``) is checked
for a found and a refused route in each language; the library's answers over a seeded sample of
the sample city (every preset, every language, routes, refusals, isochrones), over the worlds
of the profile parameters and with live reports. The casts in the producers (names built from
the vocabulary) are pinned to that vocabulary.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import math
import typing
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

import stepfree
from stepfree import answers, cli
from stepfree.answers import (
    Coverage,
    FoundRoute,
    IsochroneCollection,
    IsochroneRefusal,
    RefusedRoute,
    RouteAnswer,
)
from stepfree.attributes import Kerb
from stepfree.errors import NoUsableWay
from stepfree.graph.coverage import KINDS, coverage_report
from stepfree.graph.model import Graph
from stepfree.profiles.model import preset_names
from stepfree.routing.narration import texts
from stepfree.routing.narration.confidence import WEIGHTS
from stepfree.routing.narration.instructions import GuidanceStep

from parameter_worlds import CASES, ROAD, _world
from worlds import World

LANGS = ("en", "ru", "kk")
TIMES = ("2026-01-15T08:30", "2026-07-15T17:45")
M_PER_DEG = math.pi / 180 * 6_371_008.8

FOUND = TypeAdapter(FoundRoute)
REFUSED = TypeAdapter(RefusedRoute)
ROUTE = TypeAdapter(RouteAnswer)
ISOCHRONES = TypeAdapter(IsochroneCollection)
ISOCHRONE_REFUSAL = TypeAdapter(IsochroneRefusal)
COVERAGE = TypeAdapter(Coverage)

CLEAN = {"highway": "footway", "surface": "asphalt", "incline": "0", "width": "2"}
#: A short way over a raised kerb (x) and a detour down steps: a wheelchair has no route.
WORLD = World(
    """
    s--x--t
    |     |
    p-----q
    """,
    ways={"sxt": dict(CLEAN), "spqt": {**CLEAN, "highway": "steps", "step_count": "4"}},
    nodes={"x": {"barrier": "kerb", "kerb": "raised", "kerb:height": "0.12"}},
)


def _north_of(letter: str, metres: float) -> tuple[float, float]:
    """(lat, lon) ``metres`` north of a letter of WORLD (off the network, on unmapped ground)."""
    lon, lat = WORLD.positions()[letter]
    return lat + metres / M_PER_DEG, lon


@pytest.fixture(scope="module")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("answer-world")
    path = folder / "world.sfg"
    stepfree.build_graph(WORLD.write(folder), path)
    return path


def _cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, json.loads(captured.out)


def _route_args(
    graph: Path, origin: tuple[float, float], to: str, lang: str, *more: str
) -> list[str]:
    to_lat, to_lon = _north_of(to, 0.0)
    return [
        "route",
        "--graph",
        str(graph),
        "--from",
        f"{origin[0]},{origin[1]}",
        "--to",
        f"{to_lat},{to_lon}",
        "--lang",
        lang,
        "--at",
        TIMES[0],
        "--format",
        "json",
        *more,
    ]


# --- the CLI ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_cli_route_json_is_a_found_route(
    world_file: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    # 40 m off the network: the access leg is walked and warned about
    code, printed = _cli_json(capsys, *_route_args(world_file, _north_of("s", 40.0), "t", lang))
    assert code == 0
    answer = FOUND.validate_python(printed)
    assert answer["lang"] == lang
    assert {w["code"] for w in answer["warnings"]} >= {"access_origin"}
    assert answer["instructions"][0]["kind"] == "depart"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("origin_m", "to", "reason"),
    [(0.0, "t", "blocked"), (80.0, "s", "no_usable_way")],  # a wheelchair's max_access_m: 50 m
)
def test_cli_route_json_is_a_refused_route(
    world_file: Path,
    capsys: pytest.CaptureFixture[str],
    lang: str,
    origin_m: float,
    to: str,
    reason: str,
) -> None:
    origin = _north_of("s", origin_m)
    args = _route_args(world_file, origin, to, lang, "--profile", "manual_wheelchair")
    code, printed = _cli_json(capsys, *args)
    assert code == 3
    answer = REFUSED.validate_python(printed)
    assert answer["reason"] == reason
    assert answer["blocked_by"]
    assert answer["relax"]


@pytest.mark.parametrize("lang", LANGS)
def test_cli_isochrone_is_an_isochrone_collection(
    world_file: Path, capsys: pytest.CaptureFixture[str], lang: str
) -> None:
    lat, lon = _north_of("s", 30.0)
    code, printed = _cli_json(
        capsys,
        "isochrone",
        "--graph",
        str(world_file),
        "--from",
        f"{lat},{lon}",
        "--minutes",
        "1,2.5",
        "--lang",
        lang,
    )
    assert code == 0
    collection = ISOCHRONES.validate_python(printed)
    assert [f["properties"]["minutes"] for f in collection["features"]] == [1, 2.5]
    assert [w["code"] for w in collection["warnings"]] == ["access_origin"]


def test_cli_inspect_json_is_a_coverage_report(
    world_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = _cli_json(capsys, "inspect", str(world_file), "--json")
    assert code == 0
    report = COVERAGE.validate_python(printed)
    assert report["counts"]["kerb_nodes"]["raised"] == 1


# --- the library --------------------------------------------------------------------------


def test_validation_refuses_a_member_the_type_does_not_name(world_file: Path) -> None:
    s, t = _north_of("s", 0.0), _north_of("t", 0.0)
    found = stepfree.route(s, t, graph=world_file, at=TIMES[0])
    FOUND.validate_python(found)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        FOUND.validate_python({**found, "eta": "soon"})
    inner = {**found["summary"], "calories": 12}
    with pytest.raises(ValidationError, match=r"summary\.calories"):
        FOUND.validate_python({**found, "summary": inner})
    with pytest.raises(ValidationError, match="provenance"):
        FOUND.validate_python({k: v for k, v in found.items() if k != "provenance"})
    with pytest.raises(ValidationError):  # a refusal is not a found route
        FOUND.validate_python(stepfree.route(s, t, "manual_wheelchair", graph=world_file))


def _sample_requests(graph: Graph, count: int, seed: int) -> list[tuple[Any, ...]]:
    """Seeded requests between nodes of the sample city, a little off them (snaps and access
    legs count), over every preset, language and season; some have no route."""
    rng = np.random.default_rng(seed)
    lat, lon = graph.node("lat"), graph.node("lon")
    profiles = preset_names()
    out = []
    for i, (a, b) in enumerate(rng.choice(graph.n_nodes, size=(count, 2))):
        dlat, dlon = rng.normal(0, 0.0002, 2)
        origin = (float(lat[a]) + float(dlat), float(lon[a]) + float(dlon))
        destination = (float(lat[b]), float(lon[b]))
        out.append((origin, destination, profiles[i % len(profiles)], LANGS[i % 3], TIMES[i % 2]))
    return out


def test_sample_city_answers_are_their_types(sample_graph: Graph) -> None:
    kinds = set()
    for origin, destination, profile, lang, at in _sample_requests(sample_graph, 36, 20261211):
        answer = stepfree.route(origin, destination, profile, lang=lang, at=at, graph=sample_graph)
        ROUTE.validate_python(answer)
        kinds.add(answer["route"] is None)
        try:
            collection = stepfree.isochrone(
                origin, (3, 6), profile, at=at, graph=sample_graph, lang=lang
            )
        except NoUsableWay as refused:
            ISOCHRONE_REFUSAL.validate_python(refused.explanation)
        else:
            ISOCHRONES.validate_python(collection)
    assert kinds == {True, False}, "the sample has found and refused routes"
    COVERAGE.validate_python(coverage_report(sample_graph))


def test_every_parameter_world_answer_is_its_type(tmp_path: Path) -> None:
    for parameter, (base, way_tags, node_tags, short, detour, extra) in sorted(CASES.items()):
        road = {**ROAD, "highway": "tertiary"} if parameter == "busy_road_min_lanes" else ROAD
        world = _world(way_tags, node_tags, road)
        folder = tmp_path / parameter
        folder.mkdir()
        graph = world.graph(folder)
        s, t = world.positions()["s"], world.positions()["t"]
        for value in (short, detour):
            for forbid in ({}, {"unknown_kerb": "forbid", "max_step_count": "0"}):
                answer = stepfree.route(
                    (s[1], s[0]),
                    (t[1], t[0]),
                    base,
                    {**extra, parameter: value, **forbid},
                    at=TIMES[0],
                    graph=graph,
                )
                ROUTE.validate_python(answer)
        COVERAGE.validate_python(coverage_report(graph))


def _reports_file(folder: Path, *letters: tuple[str, str]) -> Path:
    """A GeoJSON of construction reports, each halfway between two letters of WORLD."""
    at = WORLD.positions()
    features = [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [(at[a][0] + at[b][0]) / 2, (at[a][1] + at[b][1]) / 2],
            },
            "properties": {"type": "construction"},
        }
        for a, b in letters
    ]
    path = folder / "reports.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_answers_changed_by_live_reports_are_their_types(world_file: Path, tmp_path: Path) -> None:
    s, t = _north_of("s", 0.0), _north_of("t", 0.0)
    one = _reports_file(tmp_path, ("s", "x"))
    found = FOUND.validate_python(stepfree.route(s, t, graph=world_file, reports=one))
    assert [r["effect"] for r in found["reports"]] == ["forbid"]
    (tmp_path / "both").mkdir()
    both = _reports_file(tmp_path / "both", ("s", "x"), ("p", "q"))
    # (with 300 m of unmapped ground allowed, a person walks round both: see the report)
    near = {"max_access_m": "5"}
    refused = REFUSED.validate_python(
        stepfree.route(s, t, overrides=near, graph=world_file, reports=both)
    )
    assert [b["attribute"] for b in refused["blocked_by"]] == ["access_m", "report", "report"]
    assert [b.get("report_id") for b in refused["blocked_by"]] == [None, -1, -2]


# --- the vocabulary behind the casts -------------------------------------------------------


def _keys(kind: Any) -> list[str]:
    return list(typing.get_type_hints(kind))


def test_typed_names_are_the_producers_vocabulary() -> None:
    assert _keys(answers.NetworkKm) == list(KINDS)
    assert _keys(answers.KerbNodes) == [k.name.lower() for k in Kerb if k != Kerb.UNKNOWN]
    assert _keys(answers.KnownShare) == list(WEIGHTS)
    fields = [field.name for field in dataclasses.fields(GuidanceStep)]
    assert _keys(answers.Instruction) == [*fields, "text"]
    assert set(get_args(answers.WarningCode)) == set(texts._WARNINGS)  # each has its sentence


def test_the_answer_types_stand_on_the_ground_floor() -> None:
    """The package imports only itself, the standard library and typing_extensions."""
    imported = set()
    for path in Path(answers.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported |= {
            (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
    own = {name for name in imported if name.startswith("stepfree.")}
    parts = ("common", "route", "isochrone", "coverage")
    assert own == {f"stepfree.answers.{part}" for part in parts}
    assert imported - own == {"__future__", "collections.abc", "typing", "typing_extensions"}

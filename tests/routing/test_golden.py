"""Golden answers: a seeded sample of routes and isochrones, byte for byte, so that a change
meant to keep behaviour (issue 11's restructuring) is proved to keep it.

Each case's answer is written as JSON (``ensure_ascii=False``, the CLI's and API's bytes up to
indentation) and its SHA-256 compared with ``tests/routing/golden.json``. The sample covers
the sample city (seeded pairs of nodes of its main network, every preset, the three
languages, a winter and a summer time), the worlds of ``test_profile_parameters`` (one world per
parameter, both values) and, in the slow variant, seeded pairs on every real extract of
``../shared/data/osm`` (the benchmark's inputs).

To record after a change that is *meant* to change answers::

    STEPFREE_RECORD_GOLDEN=1 .venv/bin/pytest tests/routing/test_golden.py -m "slow or not slow"

and say in the commit why the answers changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import stepfree
from stepfree.graph.model import Graph
from stepfree.profiles.model import preset_names

from conftest import SHARED_DATA
from parameter_worlds import CASES, ROAD, _world

GOLDEN = Path(__file__).with_name("golden.json")
RECORD = os.environ.get("STEPFREE_RECORD_GOLDEN") == "1"
TIMES = ("2026-01-15T08:30", "2026-07-15T17:45")
LANGS = ("en", "ru", "kk")


def _digest(answer: Any) -> str:
    return hashlib.sha256(json.dumps(answer, ensure_ascii=False).encode("utf-8")).hexdigest()


def _main_nodes(graph: Graph) -> np.ndarray:
    u, v = graph.edge("u").astype(np.int64), graph.edge("v").astype(np.int64)
    matrix = coo_matrix((np.ones(u.shape[0]), (u, v)), shape=(graph.n_nodes,) * 2)
    _, labels = connected_components(matrix, directed=False)
    return np.flatnonzero(labels == np.bincount(labels).argmax())


def _pairs(graph: Graph, count: int, seed: int) -> list[tuple[tuple[float, float], ...]]:
    nodes = _main_nodes(graph)
    rng = np.random.default_rng(seed)
    lat, lon = graph.node("lat"), graph.node("lon")
    out = []
    for a, b in rng.choice(nodes, size=(count, 2)):
        # a little off the node, as a person's point would be: snaps and access legs count
        dlat, dlon = rng.normal(0, 0.0001, 2)
        out.append(
            (
                (float(lat[a]) + float(dlat), float(lon[a]) + float(dlon)),
                (float(lat[b]), float(lon[b])),
            )
        )
    return out


def _city_cases(graph: Graph, count: int, seed: int, prefix: str) -> dict[str, Any]:
    cases: dict[str, Any] = {}
    profiles = preset_names()
    for i, (origin, destination) in enumerate(_pairs(graph, count, seed)):
        profile = profiles[i % len(profiles)]
        lang, at = LANGS[i % len(LANGS)], TIMES[i % len(TIMES)]
        cases[f"{prefix}/route/{i}/{profile}"] = stepfree.route(
            origin, destination, profile, lang=lang, at=at, graph=graph
        )
    for i, (origin, _) in enumerate(_pairs(graph, max(2, count // 10), seed + 1)):
        profile = profiles[i % len(profiles)]
        try:
            cases[f"{prefix}/isochrone/{i}/{profile}"] = stepfree.isochrone(
                origin, (5, 10), profile, at=TIMES[i % 2], graph=graph
            )
        except LookupError as refused:  # no usable way near: the explanation is the answer
            cases[f"{prefix}/isochrone/{i}/{profile}"] = getattr(refused, "explanation", None)
    return cases


def _check(cases: dict[str, Any], group: str) -> None:
    found = {name: _digest(answer) for name, answer in cases.items()}
    known: dict[str, dict[str, str]] = (
        json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    )
    if RECORD:
        known[group] = found
        GOLDEN.write_text(json.dumps(known, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        return
    assert group in known, f"no golden answers for {group}: record them (see the docstring)"
    changed = sorted(name for name in found if known[group].get(name) != found[name])
    assert set(found) == set(known[group]), "the sample itself changed"
    assert not changed, f"{len(changed)} of {len(found)} answers changed, e.g. {changed[:5]}"


def test_sample_city_answers_are_unchanged(sample_graph: Graph) -> None:
    _check(_city_cases(sample_graph, 120, 20261203, "helsinki"), "sample-city")


def test_world_answers_are_unchanged(tmp_path: Path) -> None:
    cases: dict[str, Any] = {}
    for parameter, (base, way_tags, node_tags, short, detour, extra) in sorted(CASES.items()):
        road = {**ROAD, "highway": "tertiary"} if parameter == "busy_road_min_lanes" else ROAD
        world = _world(way_tags, node_tags, road)
        folder = tmp_path / parameter
        folder.mkdir()
        graph = world.graph(folder)
        s, t = world.positions()["s"], world.positions()["t"]
        for value in (short, detour):
            cases[f"world/{parameter}/{value}"] = stepfree.route(
                (s[1], s[0]),
                (t[1], t[0]),
                base,
                {**extra, parameter: value},
                at=TIMES[0],
                graph=graph,
            )
    _check(cases, "worlds")


EXTRACTS = sorted(p.name for p in SHARED_DATA.glob("osm/*.osm.pbf"))


@pytest.mark.slow
@pytest.mark.parametrize("extract", EXTRACTS or ["(absent)"])
def test_real_extract_answers_are_unchanged(extract: str, tmp_path: Path) -> None:
    source = SHARED_DATA / "osm" / extract
    if not source.exists():
        pytest.skip(f"{source} is absent (the shared real-data folder beside the repository)")
    graph = stepfree.build_graph(source)
    _check(_city_cases(graph, 30, 20261204, extract), f"extract:{extract}")

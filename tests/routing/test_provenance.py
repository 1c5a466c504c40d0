"""Reproducible answers (issue 10, item 22).

Every answer carries what is needed to reproduce it: the graph's identity (source SHA-256,
build settings, format version), the stepfree version, the effective profile (preset and a
hash of every parameter value) and the version of the live reports used; the same request on
the same graph and reports gives a byte-identical answer.
"""

from __future__ import annotations

import json

import numpy as np

import stepfree
from stepfree.graph.model import Graph
from stepfree.graph.store import FORMAT_VERSION


def _pairs(graph: Graph, count: int) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    rng = np.random.default_rng(20261203)
    lon, lat = graph.node("lon"), graph.node("lat")
    return [
        ((float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b])))
        for a, b in rng.integers(0, graph.n_nodes, size=(count, 2))
    ]


def test_the_same_request_gives_the_same_bytes(sample_graph: Graph) -> None:
    for origin, destination in _pairs(sample_graph, 12):
        for profile in ("manual_wheelchair", "blind"):
            first, second = (
                json.dumps(
                    stepfree.route(
                        origin, destination, profile, lang="ru", at="2026-02-01T09:00",
                        graph=sample_graph,
                    ),
                    ensure_ascii=False,
                )
                for _ in range(2)
            )  # fmt: skip
            assert first == second


def test_the_answer_names_graph_code_profile_and_reports(sample_graph: Graph) -> None:
    (origin, destination), *_ = _pairs(sample_graph, 1)
    answer = stepfree.route(
        origin, destination, "manual_wheelchair", {"max_kerb_height_m": "0.02"},
        at="2026-02-01T09:00", graph=sample_graph,
    )  # fmt: skip
    made = answer["provenance"]
    assert made["stepfree"] == stepfree.__version__
    assert made["graph"]["source"] == dict(sample_graph.meta["source"])
    assert len(made["graph"]["source"]["sha256"]) == 64
    assert made["graph"]["format_version"] == FORMAT_VERSION
    assert made["graph"]["settings"] == dict(sample_graph.meta["settings"])
    assert made["profile"]["preset"] == "manual_wheelchair"
    assert made["profile"]["changed"] == {"max_kerb_height_m": 0.02}
    assert made["reports_version"] == "empty"
    assert made["at"] == answer["at"] == "2026-02-01T09:00:00+02:00"
    plain = stepfree.route(
        origin, destination, "manual_wheelchair", at="2026-02-01T09:00", graph=sample_graph
    )
    assert plain["provenance"]["profile"]["sha256"] != made["profile"]["sha256"]
    same = stepfree.route(
        origin, destination, "manual_wheelchair", {"max_kerb_height_m": "0,02"},
        at="2026-02-01T09:00", graph=sample_graph,
    )  # fmt: skip
    assert same["provenance"] == made  # 0,02 and 0.02 are one profile


def test_echoing_the_time_used_reproduces_an_answer_asked_without_one(
    sample_graph: Graph,
) -> None:
    (origin, destination), *_ = _pairs(sample_graph, 1)
    now = stepfree.route(origin, destination, "walker", graph=sample_graph)
    again = stepfree.route(origin, destination, "walker", at=now["at"], graph=sample_graph)
    assert json.dumps(again) == json.dumps(now)


def test_an_isochrone_and_a_refusal_carry_it_too(sample_graph: Graph) -> None:
    (origin, _), *_ = _pairs(sample_graph, 1)
    collection = stepfree.isochrone(origin, 5, "stroller", graph=sample_graph, at="2026-02-01")
    assert collection["provenance"]["profile"]["preset"] == "stroller"
    assert collection["provenance"]["at"] == "2026-02-01T00:00:00+02:00"
    refused = stepfree.route(
        (60.1699, 24.9384), (60.1719, 24.9414), "manual_wheelchair",
        {"unknown_width": "forbid"}, graph=sample_graph,
    )  # fmt: skip
    assert refused["route"] is None
    assert refused["provenance"]["profile"]["changed"] == {"unknown_width": "forbid"}

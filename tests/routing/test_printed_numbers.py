"""Numbers a person reads carry no float noise (``18.799999999999997`` for 18.8 m): in the route
answer (``route --format json`` and text; ``GET /v1/route`` sends the same answer), the
isochrone, the coverage report and the profile tables, on the sample city."""

from __future__ import annotations

import json
import re

import numpy as np

import stepfree
from stepfree.graph.coverage import coverage_report, format_report
from stepfree.graph.model import Graph
from stepfree.profiles.listing import describe_profile
from stepfree.profiles.model import preset_names
from stepfree.routing.narration.plain_text import route_as_text

#: A float printed with 8 or more decimals: coordinates have 7, every measure fewer.
NOISE = re.compile(r"\d\.\d{8,}")


def _noise(text: str) -> list[str]:
    return NOISE.findall(text)


def test_route_answers_have_no_float_noise(sample_graph: Graph) -> None:
    rng = np.random.default_rng(7)
    lat, lon = sample_graph.node("lat"), sample_graph.node("lon")
    found: list[str] = []
    routed = 0
    for _ in range(25):
        a, b = rng.choice(sample_graph.n_nodes, size=2, replace=False)
        origin, destination = (float(lat[a]), float(lon[a])), (float(lat[b]), float(lon[b]))
        for profile in ("pedestrian", "manual_wheelchair", "blind"):
            answer = stepfree.route(origin, destination, profile, graph=sample_graph)
            routed += answer["route"] is not None
            found += _noise(json.dumps(answer, ensure_ascii=False))
            found += _noise(route_as_text(answer))
    assert routed >= 25
    assert not found, found[:10]


def test_isochrone_coverage_and_profiles_have_no_float_noise(sample_graph: Graph) -> None:
    origin = (float(sample_graph.node("lat")[0]), float(sample_graph.node("lon")[0]))
    texts = [json.dumps(stepfree.isochrone(origin, (2, 4), graph=sample_graph))]
    report = coverage_report(sample_graph)
    texts += [json.dumps(report), format_report(report)]
    for name in preset_names():
        texts += [describe_profile(name), describe_profile(name, as_json=True)]
    found = [noise for text in texts for noise in _noise(text)]
    assert not found, found[:10]

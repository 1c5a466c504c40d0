"""Tag normalisation against the spec-vector file (tags in, attributes out)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from stepfree.attributes import EDGE_ATTRIBUTES, ENUMS, NODE_ATTRIBUTES, STRING_ATTRIBUTES
from stepfree.ingest.tags import node_attributes, way_attributes

DATA = json.loads((Path(__file__).parent / "tag_vectors.json").read_text(encoding="utf-8"))
VECTORS = DATA["vectors"]

#: Every key the network issue lists; each must appear in at least one vector.
REQUIRED_KEYS = {
    "highway",
    "access",
    "foot",
    "footway",
    "sidewalk",
    "sidewalk:both",
    "sidewalk:left",
    "sidewalk:right",
    "sidewalk:both:surface",
    "sidewalk:left:width",
    "barrier",
    "kerb",
    "kerb:height",
    "crossing",
    "crossing:signals",
    "crossing:island",
    "crossing:markings",
    "traffic_signals:sound",
    "traffic_signals:vibration",
    "button_operated",
    "tactile_paving",
    "level",
    "entrance",
    "incline",
    "surface",
    "smoothness",
    "width",
    "maxwidth:physical",
    "step_count",
    "handrail",
    "handrail:left",
    "handrail:center",
    "ramp",
    "ramp:wheelchair",
    "ramp:stroller",
    "lit",
    "wheelchair",
    "winter_service",
    "snowplowing",
    "indoor",
    "opening_hours",
    "railway",
    "public_transport",
    "name:kk",
    "name:ru",
    "name:en",
}
REQUIRED_VALUES = {
    "highway": {
        "footway",
        "path",
        "pedestrian",
        "living_street",
        "residential",
        "service",
        "steps",
        "corridor",
        "cycleway",
        "platform",
        "elevator",
        "crossing",
    },
    "sidewalk": {"both", "left", "right", "no", "separate"},
    "kerb": {"raised", "lowered", "flush", "no", "rolled"},
    "barrier": {
        "kerb",
        "bollard",
        "gate",
        "lift_gate",
        "turnstile",
        "kissing_gate",
        "stile",
        "cycle_barrier",
        "block",
    },
    "wheelchair": {"yes", "limited", "no", "designated"},
    "incline": {"up", "down", "8%", "5°"},
}


def _normalise(name: str, value: Any) -> Any:
    """Attribute value as the spec file spells it (enum names lower-case, NaN as None)."""
    if name in ENUMS and name not in STRING_ATTRIBUTES:
        return ENUMS[name](int(value)).name.lower()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _default(name: str, schema: dict[str, tuple[str, float | int, str]]) -> Any:
    _, fill, _ = schema[name]
    if name in STRING_ATTRIBUTES:
        return None
    return _normalise(name, fill)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    if vector["kind"] == "way":
        got = way_attributes(vector["tags"])
        schema = EDGE_ATTRIBUTES
        if vector["expect"] is None:
            assert got is None, f"expected not walkable, got {got}"
            return
        assert got is not None, "expected a walkable way"
    else:
        got = node_attributes(vector["tags"])
        schema = NODE_ATTRIBUTES
    for name, want in vector["expect"].items():
        value = _normalise(name, got[name]) if name in got else _default(name, schema)
        if isinstance(want, float) and isinstance(value, float):
            assert value == pytest.approx(want, abs=1e-4), name
        else:
            assert value == want, name


def test_vectors_cover_every_listed_tag() -> None:
    seen_keys = {key for vector in VECTORS for key in vector["tags"]}
    assert REQUIRED_KEYS - seen_keys == set()
    for key, values in REQUIRED_VALUES.items():
        seen = {vector["tags"][key] for vector in VECTORS if key in vector["tags"]}
        assert values - seen == set(), key


def test_every_expected_attribute_exists() -> None:
    for vector in VECTORS:
        schema = EDGE_ATTRIBUTES if vector["kind"] == "way" else NODE_ATTRIBUTES
        for name in vector["expect"] or {}:
            assert name in schema, f"{vector['name']}: {name} is not an attribute"


def test_vectors_name_the_wiki_page_they_follow() -> None:
    """A vector's ``wiki`` is the OSM wiki page whose reading it pins."""
    cited = [vector for vector in VECTORS if "wiki" in vector]
    assert len(cited) >= 30
    for vector in cited:
        assert vector["wiki"].startswith("https://wiki.openstreetmap.org/wiki/Key:"), vector["name"]
    keys = {vector["wiki"].rsplit("Key:", 1)[1] for vector in cited}
    assert {"kerb", "kerb:height", "tactile_paving", "sidewalk"} <= keys

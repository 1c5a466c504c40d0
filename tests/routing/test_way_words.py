"""How a no-route answer names an OSM way in Russian and Kazakh: a reader meets "путь (way)" /
"жол (way)", the words OSM's guides use for a way, with the OSM term beside them, not "линия" /
"сызық" (a drawn line)."""

from __future__ import annotations

import pytest

import stepfree

from worlds import World

WORLD = World(
    """
    a---s-----t---b
    """,
    ways={
        "as": {"highway": "footway"},
        "st": {"highway": "steps", "step_count": "6"},
        "tb": {"highway": "footway"},
    },
)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> stepfree.Graph:
    return WORLD.graph(tmp_path_factory.mktemp("way-words"))


def _steps_text(graph: stepfree.Graph, lang: str) -> str:
    s, t = WORLD.positions()["a"], WORLD.positions()["b"]
    answer = stepfree.route((s[1], s[0]), (t[1], t[0]), "manual_wheelchair", lang=lang, graph=graph)
    assert answer["route"] is None
    block = next(b for b in answer["blocked_by"] if b["attribute"] == "steps")
    assert block["osm_type"] == "way"
    return str(block["text"])


@pytest.mark.parametrize(
    ("lang", "words", "not_words"),
    [
        ("ru", "на пути (way) {id}", "на линии"),
        ("kk", "{id} жолында (way)", "сызығында"),
        ("en", "on way {id}", "line"),
    ],
)
def test_a_blocking_way_is_named_as_a_way(
    graph: stepfree.Graph, lang: str, words: str, not_words: str
) -> None:
    text = _steps_text(graph, lang)
    assert words.format(id=WORLD.way_id("st")) in text, text
    assert not_words not in text

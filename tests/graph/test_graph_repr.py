"""`print(graph)` is one short line: nodes, edges, source file and format version, never the
arrays (the generated dataclass repr printed every array of the city)."""

from __future__ import annotations

from stepfree.graph.model import Graph
from stepfree.graph.store import FORMAT_VERSION


def test_repr_is_one_short_line(sample_graph: Graph) -> None:
    text = repr(sample_graph)
    assert text == str(sample_graph)
    assert text == (
        f"Graph({sample_graph.n_nodes:,} nodes, {sample_graph.n_edges:,} edges, "
        f"source='helsinki_2019-04.osm.pbf', format={FORMAT_VERSION})"
    )
    assert len(text) < 120


def test_repr_of_a_graph_without_a_source(sample_graph: Graph) -> None:
    bare = Graph(arrays=sample_graph.arrays)
    assert repr(bare).endswith(f"source='unknown', format={FORMAT_VERSION})")

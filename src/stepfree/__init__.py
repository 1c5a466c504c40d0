"""stepfree: accessible pedestrian routing and analytics from OpenStreetMap.

The public surface is what ``__all__`` names (a test keeps it so): build or load a graph,
route and draw isochrones on it, the router for many requests, and the errors to catch.
Everything else is implementation and may move.
"""

from stepfree._api import build_graph, isochrone, load_graph, route, router_for, sample_graph
from stepfree.errors import (
    BadData,
    BadInput,
    Conflict,
    GraphFormatError,
    NotFound,
    NoUsableWay,
    StepfreeError,
)
from stepfree.graph.model import Graph
from stepfree.version import __version__

__all__ = [
    "BadData",
    "BadInput",
    "Conflict",
    "Graph",
    "GraphFormatError",
    "NoUsableWay",
    "NotFound",
    "StepfreeError",
    "__version__",
    "build_graph",
    "isochrone",
    "load_graph",
    "route",
    "router_for",
    "sample_graph",
]

"""stepfree: accessible pedestrian routing and analytics from OpenStreetMap."""

from stepfree._api import build_graph, isochrone, load_graph, route, sample_graph
from stepfree.errors import BadData, BadInput, GraphFormatError, StepfreeError
from stepfree.graph.model import Graph

__all__ = [
    "BadData",
    "BadInput",
    "Graph",
    "GraphFormatError",
    "StepfreeError",
    "build_graph",
    "isochrone",
    "load_graph",
    "route",
    "sample_graph",
]
__version__ = "0.1.0"

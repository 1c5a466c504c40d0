"""Rules of the trip rather than of the person: elevators closed at the time of travel, and live
barrier reports (closures) in force then.

Both are keyed by small values (the indices of the closed elevators; the overlay version, the
report ids and their policies), so the cost cache rebuilds them only when those change.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from stepfree.attributes import Highway, Tri
from stepfree.costing.context import Context
from stepfree.costing.overlay import Closure
from stepfree.costing.rules import Rule, policy_rule
from stepfree.graph.model import Graph, derived
from stepfree.profiles.model import Policy, Profile


def _elevators_with_hours(graph: Graph) -> tuple[np.ndarray, np.ndarray]:
    nodes = derived(
        graph,
        "elevator_nodes_with_hours",
        lambda g: np.flatnonzero((g.node("elevator") == Tri.YES) & (g.node("opening_hours") >= 0)),
    )
    edges = derived(
        graph,
        "elevator_edges_with_hours",
        lambda g: np.flatnonzero(
            (g.edge("highway") == Highway.ELEVATOR) & (g.edge("opening_hours") >= 0)
        ),
    )
    return nodes, edges


def closed_elevator_indices(graph: Graph, at: datetime | None) -> tuple[np.ndarray, np.ndarray]:
    """(node indices, edge indices) of elevators whose ``opening_hours`` say closed at ``at``.

    Only the elevators are looked at (a handful per city; their indices are found once per
    graph), so this costs nothing on a graph without them. Unknown hours are not closed: the
    route warns instead.
    """
    from stepfree.costing.hours import is_open

    out = []
    for where, hours in zip(
        _elevators_with_hours(graph),
        (graph.node("opening_hours"), graph.edge("opening_hours")),
        strict=True,
    ):
        closed = [
            i
            for i in where.tolist()
            if at is not None and is_open(graph.strings[hours[i]], at) is False
        ]
        out.append(np.array(closed, dtype=np.int64))
    return out[0], out[1]


def closed_elevators(graph: Graph, at: datetime | None) -> tuple[np.ndarray, np.ndarray]:
    """(closed nodes, closed edges) masks for elevators closed at ``at`` (see above)."""
    node_index, edge_index = closed_elevator_indices(graph, at)
    nodes = np.zeros(graph.n_nodes, dtype=bool)
    edges = np.zeros(graph.n_edges, dtype=bool)
    nodes[node_index] = True
    edges[edge_index] = True
    return nodes, edges


def elevator_rules(graph: Graph, closed_nodes: np.ndarray, closed_edges: np.ndarray) -> list[Rule]:
    """Rules forbidding the elevators at the given node and edge indices."""
    nodes = np.zeros(graph.n_nodes, dtype=bool)
    nodes[closed_nodes] = True
    entries = np.zeros(graph.arrays["csr.edge"].shape[0], dtype=bool)
    if closed_edges.size:
        entries = np.isin(graph.arrays["csr.edge"], closed_edges)
    return policy_rule("elevator_closed", None, Policy.FORBID, "node", nodes) + policy_rule(
        "elevator_closed", None, Policy.FORBID, "entry", entries
    )


def time_rules(graph: Graph, context: Context) -> list[Rule]:
    """Rules that depend on the time of travel (elevator hours)."""
    return elevator_rules(graph, *closed_elevator_indices(graph, context.at))


def closure_rules(
    graph: Graph, closures: tuple[Closure, ...], policies: tuple[Policy, ...]
) -> list[Rule]:
    """One rule per closure, with the policy it has for the profile (none where it allows)."""
    rules = []
    for closure, policy in zip(closures, policies, strict=True):
        if policy == Policy.ALLOW:
            continue
        if closure.edges.size:
            mask = np.isin(graph.arrays["csr.edge"], closure.edges)
            rules.append(Rule("report", None, policy, "entry", mask, closure.report_id))
        if closure.nodes.size:
            mask = np.zeros(graph.n_nodes, dtype=bool)
            mask[closure.nodes] = True
            rules.append(Rule("report", None, policy, "node", mask, closure.report_id))
    return rules


def report_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """One rule per live barrier report that concerns this profile."""
    closures = context.active_closures()
    return closure_rules(graph, closures, tuple(c.policy(profile) for c in closures))

"""The plain from-scratch costing, kept as the tests' oracle: the cost cache
(``stepfree.costing.cache.CostCache``, the one cost path of the code) must give exactly these
arrays for any profile and context (``tests/costing/test_cost_cache.py``)."""

from __future__ import annotations

import numpy as np

from stepfree.attributes import Tri
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs, transition_seconds, walk_seconds
from stepfree.costing.live_rules import report_rules, time_rules
from stepfree.costing.rules import busy_uncontrolled_crossings, entry_rules, node_rules
from stepfree.graph.model import Graph
from stepfree.profiles.model import Policy, Profile


def costs_for(graph: Graph, profile: Profile, context: Context | None = None) -> Costs:
    """Compute all costs for one profile (pure; callers cache the result)."""
    context = context or Context()
    mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
    rules = (
        entry_rules(graph, profile, context)
        + node_rules(graph, profile, context)
        + time_rules(graph, context)
        + report_rules(graph, profile, context)
    )
    edge = graph.arrays["csr.edge"]
    target = graph.arrays["csr.target"]
    n_entries = edge.shape[0]

    seconds = walk_seconds(graph, mob.speed_m_s, mob.wheeled)
    factor = np.ones(n_entries)
    forbidden_entry = np.zeros(n_entries, dtype=bool)
    node_penalty = np.zeros(graph.n_nodes)
    forbidden_node = np.zeros(graph.n_nodes, dtype=bool)
    avoid_node_s = pref.avoid_node_detour_m / mob.speed_m_s
    for rule in rules:
        if rule.level == "entry":
            if rule.policy == Policy.FORBID:
                forbidden_entry |= rule.mask
            else:
                factor += (pref.avoid_factor - 1.0) * rule.mask
        elif rule.policy == Policy.FORBID:
            forbidden_node |= rule.mask
        else:
            node_penalty += avoid_node_s * rule.mask
    if pref.avoid_unlit:
        factor *= np.where(graph.edge("lit")[edge] == Tri.NO, pref.unlit_factor, 1.0)
    if guide.crossing_detour_m > 0:
        node_penalty += (guide.crossing_detour_m / mob.speed_m_s) * busy_uncontrolled_crossings(
            graph, profile
        )

    node_seconds = transition_seconds(graph, profile)
    node_cost = np.where(forbidden_node, np.inf, node_seconds + node_penalty)
    edge_cost = np.where(forbidden_entry, np.inf, seconds * factor)
    entry_cost = edge_cost + node_cost[target]
    usable = np.zeros(graph.n_edges, dtype=bool)
    usable[edge[np.isfinite(edge_cost)]] = True  # either direction walkable
    return Costs(
        entry_cost=entry_cost,
        entry_seconds=seconds + node_seconds[target],
        edge_cost=edge_cost,
        node_cost=node_cost,
        node_seconds=node_seconds,
        edge_usable=usable,
        rules=tuple(rules),
        min_cost_per_m=1.0 / mob.speed_m_s,
    )

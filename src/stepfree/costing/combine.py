"""The per-element arithmetic that turns rule masks and a few numbers into costs.

``costs_for`` combines the rules one mask at a time over whole arrays; the functions here give
the same numbers for any subset of entries or nodes, so that the cost cache can recompute only
where a request differs from a cached one. The identity rests on two facts: every AVOID rule
adds the same amount (``avoid_factor - 1`` to a way's factor, ``avoid_node_detour_m / speed``
to a node's penalty), so a sum depends only on how many rules cover an element, added one at a
time in the same order (``_sums``); and each remaining step is one IEEE operation per element.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stepfree.attributes import Tri
from stepfree.costing.rules import Rule, per_entry
from stepfree.graph.model import Graph, derived
from stepfree.profiles.model import Policy, Profile

#: Per element count of the AVOID rules covering it (a few dozen rules; reports add one each).
COUNT = np.uint16


@dataclass(frozen=True)
class Scalars:
    """The numbers the combination reads besides the masks (None: that part is off)."""

    speed_m_s: float
    wheeled: bool
    avoid_factor: float
    unlit_factor: float | None  # None: lighting does not count
    avoid_node_s: float
    crossing_s: float | None  # None: no penalty at busy uncontrolled crossings
    busy_road_min_lanes: int | None

    @classmethod
    def of(cls, profile: Profile) -> Scalars:
        """The numbers as ``costs_for`` derives them from the profile."""
        mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
        crossing = guide.crossing_detour_m > 0
        return cls(
            speed_m_s=mob.speed_m_s,
            wheeled=mob.wheeled,
            avoid_factor=pref.avoid_factor,
            unlit_factor=pref.unlit_factor if pref.avoid_unlit else None,
            avoid_node_s=pref.avoid_node_detour_m / mob.speed_m_s,
            crossing_s=guide.crossing_detour_m / mob.speed_m_s if crossing else None,
            busy_road_min_lanes=guide.busy_road_min_lanes if crossing else None,
        )


def rule_counts(
    rules: Sequence[Rule], level: str, index: np.ndarray | None, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(forbidden, number of AVOID rules) per element of ``level``, at ``index`` or everywhere."""
    forbid = np.zeros(size if index is None else index.shape[0], dtype=bool)
    avoid = np.zeros(forbid.shape[0], dtype=COUNT)
    for rule in rules:
        if rule.level != level:
            continue
        mask = rule.mask if index is None else rule.mask[index]
        if rule.policy == Policy.FORBID:
            forbid |= mask
        else:
            np.add(avoid, mask, out=avoid, casting="unsafe")
    return forbid, avoid


def avoid_rules(rules: Sequence[Rule], level: str) -> int:
    """How many AVOID rules of ``level`` there are (the most that can cover one element)."""
    return sum(1 for rule in rules if rule.level == level and rule.policy != Policy.FORBID)


def _sums(start: float, step: float, n: int) -> np.ndarray:
    """``start``, ``start + step``, ...: ``costs_for`` adds ``step`` once per covering rule."""
    out = [start]
    for _ in range(n):
        out.append(out[-1] + step)
    return np.array(out)


def edge_costs(
    seconds: np.ndarray,
    forbid: np.ndarray,
    avoid: np.ndarray,
    lit_no: np.ndarray | None,
    scalars: Scalars,
    n_avoid_rules: int,
) -> np.ndarray:
    """The cost of walking each way (inf where forbidden), element by element."""
    factor = _sums(1.0, scalars.avoid_factor - 1.0, n_avoid_rules)[avoid]
    if scalars.unlit_factor is not None and lit_no is not None:
        factor *= np.where(lit_no, scalars.unlit_factor, 1.0)
    cost: np.ndarray = np.where(forbid, np.inf, seconds * factor)
    return cost


def node_costs(
    seconds: np.ndarray,
    forbid: np.ndarray,
    avoid: np.ndarray,
    busy: np.ndarray | None,
    scalars: Scalars,
    n_avoid_rules: int,
) -> np.ndarray:
    """The cost of passing each node (inf where forbidden), element by element."""
    penalty = _sums(0.0, scalars.avoid_node_s, n_avoid_rules)[avoid]
    if scalars.crossing_s is not None and busy is not None:
        penalty += scalars.crossing_s * busy
    cost: np.ndarray = np.where(forbid, np.inf, seconds + penalty)
    return cost


def unlit_entries(graph: Graph) -> np.ndarray:
    """Per entry: the way is mapped as unlit."""
    return derived(graph, "per_entry.lit_no", lambda g: per_entry(g, "lit") == Tri.NO)


def usable_edges(graph: Graph, edge_cost: np.ndarray) -> np.ndarray:
    """Per edge: walkable in at least one direction."""
    usable = np.zeros(graph.n_edges, dtype=bool)
    usable[graph.arrays["csr.edge"][np.isfinite(edge_cost)]] = True
    return usable


def usable_patched(
    graph: Graph, usable: np.ndarray, edge_cost: np.ndarray, entries: np.ndarray
) -> np.ndarray:
    """A copy of ``usable`` recomputed for the edges of ``entries`` (both directions of each)."""
    edge = graph.arrays["csr.edge"]
    edges = np.unique(edge[entries])
    every = entries_of(graph, "edge", edges)
    out = usable.copy()
    out[edges] = False
    out[edge[every[np.isfinite(edge_cost[every])]]] = True
    return out


def entries_of(graph: Graph, by: str, index: np.ndarray) -> np.ndarray:
    """The entries whose ``csr.<by>`` (``edge``, or ``target`` node) is in ``index``.

    Uses an index of the entries grouped by edge or by target, built once per graph.
    """
    key = graph.arrays[f"csr.{by}"]
    size = graph.n_edges if by == "edge" else graph.n_nodes
    order = derived(
        graph, f"entries_by_{by}", lambda g: np.argsort(key, kind="stable").astype(key.dtype)
    )
    offsets = derived(
        graph,
        f"entries_by_{by}.offsets",
        lambda g: np.concatenate(([0], np.cumsum(np.bincount(key, minlength=size)))),
    )
    starts = offsets[index]
    lengths = offsets[index + 1] - starts
    first = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    picked: np.ndarray = order[first + np.arange(first.shape[0])]
    return picked

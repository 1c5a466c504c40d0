"""Costing in three pure parts, vectorised over the graph's arrays.

- passable: the FORBID rules (hard limits) make an entry or node impassable (cost inf);
- edge cost: seconds to walk each directed edge (speed, slope, steps) times preference factors
  (each AVOID rule that applies adds ``avoid_factor - 1``; unlit ways multiply by
  ``unlit_factor``);
- transition cost at nodes: seconds (crossing waits by control, kerbs, barriers, elevators) plus
  penalties (each avoided node costs the time of an ``avoid_node_detour_m`` detour; a busy
  uncontrolled crossing costs a ``crossing_detour_m`` detour).

The search minimises cost and reports seconds. A node's transition is charged on every entry
that arrives at it, so the search kernels see one cost per directed edge.

The one cost path is ``costing.cache.CostCache`` (rules cached in parts, combined by
``costing.combine``); the tests keep the plain from-scratch computation as their oracle
(``tests/costing_oracle.py: costs_for``), and the cache must give the same
arrays bit for bit while reusing the parts a request shares with earlier ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stepfree.attributes import Barrier, Crossing, Highway, Kerb, Tri
from stepfree.costing.rules import (
    Rule,
    per_entry,
)
from stepfree.graph.model import Graph, directed_incline_pct
from stepfree.profiles.model import Profile

#: Mean wait at a signalled crossing: half of a typical 60 s pedestrian cycle (s).
SIGNAL_WAIT_S = 30.0
#: Looking and waiting for a gap at an unsignalled crossing (s).
CROSSING_WAIT_S = {Crossing.MARKED: 5.0, Crossing.UNMARKED: 10.0, Crossing.UNKNOWN: 10.0}
#: Calling and riding an elevator (s).
ELEVATOR_S = 60.0
#: Opening a gate or passing a turnstile (s).
BARRIER_S = 5.0
#: Getting a wheel over a kerb that is not flush (s).
KERB_S = 3.0
#: Steps take longer than their horizontal length suggests (factor on time).
STEPS_TIME_FACTOR = 2.0


@dataclass(frozen=True)
class Costs:
    """Everything a search needs for one profile on one graph."""

    entry_cost: np.ndarray  # float64 per adjacency entry; inf = impassable
    entry_seconds: np.ndarray  # float64 per adjacency entry
    edge_cost: np.ndarray  # float64 per entry, the way alone (no transition), for snapping
    node_cost: np.ndarray  # float64 per node; inf = impassable
    node_seconds: np.ndarray
    edge_usable: np.ndarray  # bool per edge: walkable in at least one direction
    rules: tuple[Rule, ...]
    min_cost_per_m: float  # lower bound of cost per metre (A* heuristic)


def slope_speed_factor(grade_pct: np.ndarray, wheeled: bool) -> np.ndarray:
    """Speed multiplier on a slope; 1 on the flat and where the grade is unknown.

    Walkers: Tobler's hiking function normalised to 1 at 0 % (Tobler 1993).
    Wheeled: uphill effort grows fast (factor 1 / (1 + 0.1 * grade)), downhill is braked, not
    faster (factor 1).
    """
    grade = np.nan_to_num(grade_pct, nan=0.0) / 100.0
    factor: np.ndarray
    if wheeled:
        factor = 1.0 / (1.0 + 10.0 * np.maximum(grade, 0.0))
    else:
        factor = np.minimum(np.exp(-3.5 * np.abs(grade + 0.05)) / np.exp(-3.5 * 0.05), 1.0)
    return factor


def walk_seconds(graph: Graph, speed_m_s: float, wheeled: bool) -> np.ndarray:
    """Seconds to walk (or roll) each adjacency entry: its length at the speed on its slope,
    steps taking ``STEPS_TIME_FACTOR`` times longer."""
    length = graph.edge("length_m").astype(np.float64)[graph.arrays["csr.edge"]]
    speed = speed_m_s * slope_speed_factor(directed_incline_pct(graph), wheeled)
    seconds: np.ndarray = length / speed
    seconds[per_entry(graph, "highway") == Highway.STEPS] *= STEPS_TIME_FACTOR
    return seconds


def transition_seconds(graph: Graph, profile: Profile) -> np.ndarray:
    """Seconds spent at each node: crossing waits, kerbs, barriers, elevators."""
    return seconds_at_nodes(graph, profile.mobility.wheeled)


def seconds_at_nodes(graph: Graph, wheeled: bool) -> np.ndarray:
    """Seconds spent at each node by someone on wheels or not (see ``transition_seconds``)."""
    seconds = np.zeros(graph.n_nodes)
    crossing = graph.node("crossing")
    seconds[crossing == Crossing.TRAFFIC_SIGNALS] += SIGNAL_WAIT_S
    for control, wait in CROSSING_WAIT_S.items():
        seconds[crossing == control] += wait
    seconds[graph.node("elevator") == Tri.YES] += ELEVATOR_S
    barrier = graph.node("barrier")
    seconds[
        np.isin(
            barrier,
            [
                Barrier.GATE,
                Barrier.LIFT_GATE,
                Barrier.TURNSTILE,
                Barrier.KISSING_GATE,
                Barrier.STILE,
            ],
        )
    ] += BARRIER_S
    if wheeled:
        kerb = graph.node("kerb")
        seconds[np.isin(kerb, [Kerb.LOWERED, Kerb.ROLLED, Kerb.RAISED])] += KERB_S
    return seconds

"""How much of what matters to a profile the map knows along a route, and one confidence.

For each attribute that matters to the profile (an incline only to someone with an incline
limit, a kerb only to someone with a kerb limit...), the route's *known share*:

- of its length, for attributes of ways (incline, width, surface, lighting): the stretches
  between a requested point and the network (the access legs) are unmapped ground, so every
  such attribute is unknown there;
- of its count, for kerbs (nodes with a kerb, or where one may be: a crossing or a kerb of no
  known height), signals (signalled crossings, for audible signals), crossings (for tactile
  paving) and flights of steps (for their step count).

An attribute the route never meets (no kerb anywhere on it) has no share (``None``).

The confidence is the weighted mean of the shares the route has::

    confidence = sum(weight[a] * share[a]) / sum(weight[a])   over attributes a with a share

and 1 when the route meets nothing that matters to the profile. The weights rank what can stop
or hurt a person before what makes a trip harder (`WEIGHTS`): a kerb or a flight of steps of
unknown height can end a wheelchair trip, an unknown slope or width can too, an unknown audible
signal leaves a blind person at a busy crossing; an unknown surface or missing tactile paving
makes the trip harder; lighting least. The formula and the table are the documentation
(``docs/answers.md`` repeats them).
"""

from __future__ import annotations

import numpy as np

from stepfree.attributes import Barrier, Crossing, Kerb
from stepfree.graph.model import Graph, derived

#: attribute -> (mask of where it is unknown, as `describe.unknown_masks` names it; weight)
WEIGHTS: dict[str, tuple[str, float]] = {
    "kerb": ("node:unknown_kerb", 4.0),
    "step_count": ("edge:unknown_step_count", 4.0),
    "incline": ("edge:unknown_incline", 3.0),
    "width": ("edge:unknown_width", 3.0),
    "audible_signal": ("node:unknown_audible", 3.0),
    "surface": ("edge:unknown_surface", 2.0),
    "tactile_paving": ("node:unknown_tactile", 2.0),
    "lit": ("edge:unknown_lit", 1.0),
}
#: Edge attributes measured by length (step counts are measured by flights, not metres).
BY_LENGTH = ("incline", "width", "surface", "lit")
#: Node attributes measured by count, with where each applies (see `node_places`).
BY_COUNT = ("kerb", "audible_signal", "tactile_paving")


def node_places(graph: Graph, attribute: str) -> np.ndarray:
    """Nodes where a node attribute applies: kerbs (mapped, or possible at a crossing),
    signalled crossings (audible signals) and crossings (tactile paving). Cached per graph."""
    return derived(graph, f"confidence_places:{attribute}", lambda g: _places(g, attribute))


def _places(graph: Graph, attribute: str) -> np.ndarray:
    crossing = graph.node("crossing")
    if attribute == "audible_signal":
        places: np.ndarray = crossing == Crossing.TRAFFIC_SIGNALS
    elif attribute == "tactile_paving":
        places = crossing != Crossing.NOT_A_CROSSING
    else:
        from stepfree.costing.rules import unknown_kerb_nodes

        places = (graph.node("barrier") == Barrier.KERB) | (graph.node("kerb") != Kerb.UNKNOWN)
        places = places | unknown_kerb_nodes(graph)
    return places


def known_shares(
    length_m: float,
    unknown_m: dict[str, float],
    counts: dict[str, tuple[int, int]],
) -> dict[str, float | None]:
    """The known share of each attribute that matters, in `WEIGHTS` order.

    ``unknown_m``: length on which each length attribute is unknown (access legs included);
    ``counts``: ``(places met, places unknown)`` of each counted attribute.
    """
    out: dict[str, float | None] = {}
    for name in WEIGHTS:
        if name in unknown_m:
            share = 1.0 - unknown_m[name] / length_m if length_m > 0 else None
        elif name in counts:
            total, unknown = counts[name]
            share = (total - unknown) / total if total else None
        else:
            continue
        out[name] = None if share is None else round(min(1.0, max(0.0, share)), 4)
    return out


def confidence(shares: dict[str, float | None]) -> float:
    """The weighted mean of the shares (see the module docstring); 1 with none."""
    weighted = [(WEIGHTS[name][1], share) for name, share in shares.items() if share is not None]
    total = sum(weight for weight, _ in weighted)
    if total == 0:
        return 1.0
    return round(sum(weight * share for weight, share in weighted) / total, 4)

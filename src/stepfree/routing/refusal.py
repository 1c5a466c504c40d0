"""Why no route: what blocks the way, and the smallest change of one parameter that opens one.

``blocked_by`` lists the blocking ways and nodes on the *least-blocked* path: the path found
when every forbidden way or node is allowed again at a very high price per block, so it crosses
as few blocks as possible. ``relax`` tries, for each parameter behind those blocks, the
smallest value that lets a route exist (checked by routing again, not guessed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any, Literal, NotRequired, TypedDict

import numpy as np

from stepfree.answers import Scalar
from stepfree.attributes import ENUMS
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs
from stepfree.costing.rules import SMOOTHNESS_ORDER, SURFACE_ORDER, Rule, kerb_height_m
from stepfree.graph.model import Graph, directed_incline_pct
from stepfree.profiles.model import PARAMETERS, Policy, Profile
from stepfree.routing.router import Router
from stepfree.routing.walk import Walk, pieces

#: Price of crossing one block on the least-blocked path (cost units, seconds): larger than
#: any real route, so the path minimises the number of blocks first.
BLOCK_PRICE = 1e7
#: Numeric parameters and whether relaxing means raising (True) or lowering (False) them.
NUMERIC = {
    "max_kerb_height_m": True,
    "max_incline_up_pct": True,
    "max_incline_down_pct": True,
    "max_step_count": True,
    "min_width_m": False,
}


class Blocker(TypedDict):
    """What blocks, before it is put in words: an `answers.Block` but its ``text`` (which
    ``narration.answer`` and ``access`` add, in the answer's language)."""

    osm_type: NotRequired[Literal["way", "node"]]
    osm_id: NotRequired[int]
    attribute: str
    value: Scalar
    limit: Scalar
    parameter: str | None
    role: NotRequired[str]
    distance_m: NotRequired[float]
    report_id: NotRequired[int]


#: A change that opens a route, before it is put in words: an `answers.Relaxation` but its
#: ``text`` (the functional form: ``from`` is a Python keyword).
Change = TypedDict("Change", {"parameter": str, "from": Scalar, "to": Scalar})


class Explanation(TypedDict):
    """Why a request has no route, before it is put in words."""

    blocked_by: list[Blocker]
    relax: list[Change]
    reason: Literal["blocked", "not_connected"]


def least_blocked_costs(graph: Graph, costs: Costs) -> Costs:
    """Costs where each forbidden way or node is passable at ``BLOCK_PRICE`` per block."""
    entry_blocks = np.zeros(costs.entry_cost.shape[0])
    node_blocks = np.zeros(costs.node_cost.shape[0])
    for rule in costs.rules:
        if rule.policy == Policy.FORBID:
            if rule.level == "entry":
                entry_blocks += rule.mask
            else:
                node_blocks += rule.mask
    seconds = costs.entry_seconds - costs.node_seconds[graph.arrays["csr.target"]]
    edge_cost = np.where(
        np.isfinite(costs.edge_cost), costs.edge_cost, seconds + BLOCK_PRICE * entry_blocks
    )
    node_cost = np.where(
        np.isfinite(costs.node_cost),
        costs.node_cost,
        costs.node_seconds + BLOCK_PRICE * node_blocks,
    )
    return dataclasses.replace(
        costs,
        edge_cost=edge_cost,
        node_cost=node_cost,
        entry_cost=edge_cost + node_cost[graph.arrays["csr.target"]],
        edge_usable=np.ones(graph.n_edges, dtype=bool),
    )


def block_value(graph: Graph, rule: Rule, index: int, profile: Profile) -> tuple[Any, Any]:
    """The blocking value and the limit it breaks, for a rule at an entry or node."""
    mob = profile.mobility
    name = rule.attribute
    if name == "report":
        return "reported", "closed by a live report"
    if name == "kerb_height_m":
        return round(float(kerb_height_m(graph)[index]), 3), mob.max_kerb_height_m
    if name == "incline_pct":
        grade = float(directed_incline_pct(graph)[index])
        incline_limit = mob.max_incline_up_pct if grade > 0 else mob.max_incline_down_pct
        return round(abs(grade), 2), incline_limit
    edge = int(graph.arrays["csr.edge"][index]) if rule.level == "entry" else -1
    if name == "width_m":
        return round(float(graph.edge("width_m")[edge]), 2), mob.min_width_m
    if name in {"steps", "step_count"}:
        count = int(graph.edge("step_count")[edge])
        return (count if count >= 0 else "unknown"), mob.max_step_count
    if name.startswith("unknown_"):
        return "unknown", getattr(profile.preferences, name)
    if name == "surface":
        return ENUMS["surface"](graph.edge("surface")[edge]).name.lower(), mob.max_surface
    if name == "smoothness":
        return ENUMS["smoothness"](graph.edge("smoothness")[edge]).name.lower(), mob.max_smoothness
    if name == "elevator_closed":
        hours = (
            graph.edge("opening_hours")[edge] if edge >= 0 else graph.node("opening_hours")[index]
        )
        return graph.string(int(hours)), "closed at the time of travel"
    source = graph.edge(name)[edge] if rule.level == "entry" else graph.node(name)[index]
    value = ENUMS[name](int(source)).name.lower() if name in ENUMS else source.item()
    limit: Any = "forbidden"
    if rule.parameter is not None:
        for facet in (profile.mobility, profile.guidance, profile.preferences):
            if rule.parameter in type(facet).model_fields:
                limit = getattr(facet, rule.parameter)
    return value, limit


def blockers(graph: Graph, walk: Walk, costs: Costs, profile: Profile) -> list[Blocker]:
    """Every forbidding rule met along the walk, with OSM ids, values and limits."""
    out: list[Blocker] = []
    seen = set()
    osm_type: Literal["way", "node"]
    for piece in walk:
        for rule in costs.rules:
            if rule.policy != Policy.FORBID:
                continue
            if rule.level == "entry" and rule.mask[piece.entry]:
                index, osm_type = piece.entry, "way"
                osm_id = int(graph.edge("osm_way_id")[piece.edge])
            elif rule.level == "node" and piece.node >= 0 and rule.mask[piece.node]:
                index, osm_type = piece.node, "node"
                osm_id = int(graph.node("osm_id")[piece.node])
            else:
                continue
            if (osm_type, osm_id, rule.attribute, rule.report_id) in seen:
                continue
            seen.add((osm_type, osm_id, rule.attribute, rule.report_id))
            value, limit = block_value(graph, rule, index, profile)
            item: Blocker = {
                "osm_type": osm_type,
                "osm_id": osm_id,
                "attribute": rule.attribute,
                "value": value,
                "limit": limit,
                "parameter": rule.parameter,
            }
            if rule.report_id is not None:
                item["report_id"] = rule.report_id
            out.append(item)
    return out


def _route_exists(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    context: Context,
) -> bool:
    costs = router.costs(profile, context)
    return router.connected(origin, destination, costs, profile.mobility.max_access_m)


def _numeric_values(router: Router, costs: Costs, parameter: str) -> np.ndarray:
    """Every value of the parameter's attribute where its rule forbids, smallest change first."""
    graph = router.graph
    values = []
    for rule in costs.rules:
        if rule.parameter != parameter or rule.policy != Policy.FORBID:
            continue
        index = np.flatnonzero(rule.mask)
        if parameter == "max_kerb_height_m":
            values.append(kerb_height_m(graph)[index])
        elif parameter in {"max_incline_up_pct", "max_incline_down_pct"}:
            values.append(np.abs(directed_incline_pct(graph)[index]).astype(np.float64))
        elif parameter == "min_width_m":
            values.append(graph.edge("width_m")[graph.arrays["csr.edge"][index]])
        elif parameter == "max_step_count":
            counts = graph.edge("step_count")[graph.arrays["csr.edge"][index]]
            values.append(counts[counts >= 0].astype(np.float64))
    if not values:
        return np.empty(0)
    joined = np.concatenate(values) * 1000  # to mm / 0.001 % steps, rounded towards passing
    found: np.ndarray = np.unique(
        (np.ceil(joined) if NUMERIC[parameter] else np.floor(joined)) / 1000
    )
    spec = PARAMETERS[parameter]
    found = found[(found >= spec.minimum) & (found <= spec.maximum) & np.isfinite(found)]
    return found if NUMERIC[parameter] else found[::-1]


def _smallest_numeric(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    context: Context,
    parameter: str,
) -> Any:
    """Binary search over the values in the graph (raising a limit only adds ways)."""
    costs = router.costs(profile, context)
    values = _numeric_values(router, costs, parameter)

    def works(value: float) -> bool:
        text = str(int(value)) if parameter == "max_step_count" else f"{value:g}"
        changed = profile.with_overrides({parameter: text})
        return _route_exists(router, origin, destination, changed, context)

    if values.size == 0 or not works(float(values[-1])):
        return None
    low, high = 0, values.size - 1
    while low < high:
        middle = (low + high) // 2
        if works(float(values[middle])):
            high = middle
        else:
            low = middle + 1
    value = float(values[low])
    return int(value) if parameter == "max_step_count" else value


def relax_candidates(parameter: str, blocked: Sequence[Blocker]) -> list[Any]:
    """Values to try for a non-numeric parameter."""
    values = [b["value"] for b in blocked if b["parameter"] == parameter]
    if parameter.startswith("unknown_") or parameter in {
        "major_road_without_sidewalk",
        "winter_unserviced",
        "rough_policy",
    }:
        return ["avoid"]
    if parameter == "respect_wheelchair_tag":
        return [False]
    if parameter == "max_surface":
        ranks = [SURFACE_ORDER.index(v) for v in values if v in SURFACE_ORDER]
        return [SURFACE_ORDER[max(ranks)], SURFACE_ORDER[-1]] if ranks else []
    if parameter == "max_smoothness":
        ranks = [SMOOTHNESS_ORDER.index(v) for v in values if v in SMOOTHNESS_ORDER]
        return [SMOOTHNESS_ORDER[max(ranks)], SMOOTHNESS_ORDER[-1]] if ranks else []
    return []


def _current(profile: Profile, parameter: str) -> Any:
    for facet in (profile.mobility, profile.guidance, profile.preferences):
        if parameter in type(facet).model_fields:
            value = getattr(facet, parameter)
            return value.value if isinstance(value, Policy) else value
    return None


def relaxations(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    context: Context,
    blocked: list[Blocker],
) -> list[Change]:
    """For each parameter behind a block, the smallest tried value that lets a route exist.

    Parameters blocking the least-blocked path come first; then the other numeric limits that
    forbid something in the graph, since relaxing one of those may open another way.
    """
    out: list[Change] = []
    on_path = [b["parameter"] for b in blocked if b["parameter"]]
    elsewhere = [
        rule.parameter
        for rule in router.costs(profile, context).rules
        if rule.policy == Policy.FORBID and rule.parameter in NUMERIC
    ]
    for parameter in dict.fromkeys(on_path + elsewhere):
        current = _current(profile, parameter)
        if parameter in NUMERIC:
            value = _smallest_numeric(router, origin, destination, profile, context, parameter)
            if value is not None:
                out.append({"parameter": parameter, "from": current, "to": value})
            continue
        for candidate in relax_candidates(parameter, blocked):
            changed = profile.with_overrides({parameter: str(candidate)})
            if _route_exists(router, origin, destination, changed, context):
                out.append({"parameter": parameter, "from": current, "to": candidate})
                break
    return out


def explain(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    context: Context,
) -> Explanation:
    """``blocked_by`` and ``relax`` for a request that has no route."""
    costs = router.costs(profile, context)
    relaxed = least_blocked_costs(router.graph, costs)
    reach = profile.mobility.max_access_m
    path = router.path_between(origin, destination, relaxed, reach)  # every way usable here
    if path is None:
        return {"blocked_by": [], "relax": [], "reason": "not_connected"}
    blocked = blockers(router.graph, pieces(router, path), costs, profile)
    return {
        "blocked_by": blocked,
        "relax": relaxations(router, origin, destination, profile, context, blocked),
        "reason": "blocked" if blocked else "not_connected",
    }

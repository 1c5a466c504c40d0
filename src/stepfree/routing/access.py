"""The stretches between a requested point and the network, and the refusal when they are
too long for the person.

A requested point rarely lies on a mapped way: the person crosses unmapped ground (a courtyard,
a car park, a lawn) to the nearest way they can use. That access leg is part of the trip (its
length, time and unknown data count in the summary), and the profile says how much of it a
person can take (``max_access_m``: a wheelchair user cannot cross 200 m of unknown ground).
Beyond that an end is refused: the refusal says how far the nearest usable way is, which nearer
ways the profile may not use and why, and which single change would open the end (checked by
snapping and routing again, not guessed).
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypedDict

from stepfree.answers import Block, Relaxation
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs
from stepfree.errors import NoUsableWay
from stepfree.profiles.model import PARAMETERS, Policy, Profile
from stepfree.routing.narration import texts as answer_texts
from stepfree.routing.refusal import NUMERIC, Blocker, Change, block_value, relax_candidates
from stepfree.routing.router import Router

__all__ = ["ACCESS_WARN_M", "end_refusal"]

#: An access leg longer than this is worth a warning (m): in a mapped centre a building's door
#: is rarely further than this from the footway serving it (the isochrones' band, 25 m).
ACCESS_WARN_M = 25.0


class EndRefusal(TypedDict):
    """What a refused end says: what blocks it, what would open it, in words."""

    blocked_by: list[Block]
    relax: list[Relaxation]
    reason: Literal["no_usable_way"]
    message: str


def _nearer_blocks(
    router: Router, error: NoUsableWay, costs: Costs, profile: Profile
) -> list[Blocker]:
    """What stops the profile on each nearer way: every forbidding rule on either direction."""
    graph = router.graph
    out: list[Blocker] = []
    for edge, distance_m in error.blocked:
        entries = (int(router.forward_entry[edge]), int(router.backward_entry[edge]))
        seen: set[tuple[str, int | None]] = set()
        for rule in costs.rules:
            if rule.policy != Policy.FORBID or rule.level != "entry":
                continue
            for entry in entries:
                if not rule.mask[entry] or (rule.attribute, rule.report_id) in seen:
                    continue
                seen.add((rule.attribute, rule.report_id))
                value, limit = block_value(graph, rule, entry, profile)
                item: Blocker = {
                    "osm_type": "way",
                    "osm_id": int(graph.edge("osm_way_id")[edge]),
                    "attribute": rule.attribute,
                    "value": value,
                    "limit": limit,
                    "parameter": rule.parameter,
                    "role": error.role,
                    "distance_m": round(distance_m, 1),
                }
                if rule.report_id is not None:
                    item["report_id"] = rule.report_id
                out.append(item)
    return out


def _opens(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float] | None,
    profile: Profile,
    context: Context,
) -> bool:
    """Whether both ends snap for the profile and a route joins them (only the origin, for
    an isochrone: ``destination`` None)."""
    costs = router.costs(profile, context)
    reach = profile.mobility.max_access_m
    if destination is not None:
        return router.connected(origin, destination, costs, reach)
    try:
        router.endpoint(*origin, costs, "origin", reach)
    except NoUsableWay:
        return False
    return True


def _numeric_candidate(parameter: str, value: Any) -> float | None:
    """The value of a numeric limit that lets the blocking value pass (to the mm or 0.001 %)."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        return None
    scaled = value * 1000
    candidate = (math.ceil(scaled) if NUMERIC[parameter] else math.floor(scaled)) / 1000
    spec = PARAMETERS[parameter]
    if not spec.minimum <= candidate <= spec.maximum:
        return None
    return int(candidate) if parameter == "max_step_count" else candidate


def _relax(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float] | None,
    profile: Profile,
    context: Context,
    error: NoUsableWay,
    blocked: list[Block],
) -> list[Change]:
    """Single parameter changes that open the refused end (each checked)."""
    tries: list[tuple[str, Any]] = []
    costs = router.costs(profile, context)
    ends = [origin] if destination is None else [origin, destination]
    needed = [router.nearest_usable_m(lat, lon, costs) for lat, lon in ends]
    if None not in needed:  # the reach that takes both ends to a usable way
        reach = float(math.ceil(max(m for m in needed if m is not None)))
        if reach <= PARAMETERS["max_access_m"].maximum:
            tries.append(("max_access_m", reach))
    for item in blocked:
        parameter = item["parameter"]
        if parameter is None or parameter == "max_access_m":
            continue
        if parameter in NUMERIC:
            candidate = _numeric_candidate(parameter, item["value"])
            if candidate is not None:
                tries.append((parameter, candidate))
        else:
            tries += [(parameter, value) for value in relax_candidates(parameter, blocked)]
    out: list[Change] = []
    done: set[str] = set()
    for parameter, value in tries:
        if parameter in done:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        changed = profile.with_overrides({parameter: text})
        if _opens(router, origin, destination, changed, context):
            done.add(parameter)
            current = _current(profile, parameter)
            out.append({"parameter": parameter, "from": current, "to": value})
    return out


def _current(profile: Profile, parameter: str) -> Any:
    for facet in (profile.mobility, profile.guidance, profile.preferences):
        if parameter in type(facet).model_fields:
            value = getattr(facet, parameter)
            return value.value if isinstance(value, Policy) else value
    return None


def end_refusal(
    router: Router,
    error: NoUsableWay,
    origin: tuple[float, float],
    destination: tuple[float, float] | None,
    profile: Profile,
    context: Context,
    lang: str,
) -> EndRefusal:
    """``blocked_by``, ``relax``, ``reason`` and ``message`` for an end with no usable way
    within the profile's ``max_access_m`` (texts in ``lang``)."""
    costs = router.costs(profile, context)
    access: Block = {
        "attribute": "access_m",
        "role": error.role,
        "value": None if error.nearest_m is None else round(error.nearest_m, 1),
        "limit": error.limit_m,
        "parameter": "max_access_m",
        "text": answer_texts.explain_access(error.role, error.nearest_m, error.limit_m, lang),
    }
    nearer: list[Block] = [
        {
            **item,
            "text": answer_texts.explain_block(
                item["attribute"], item["value"], item["limit"], "way", item["osm_id"], lang
            ),
        }
        for item in _nearer_blocks(router, error, costs, profile)
    ]
    blocked = [access, *nearer]
    relax: list[Relaxation] = [
        {**item, "text": answer_texts.explain_relax(item["parameter"], item["to"], lang)}
        for item in _relax(router, origin, destination, profile, context, error, blocked)
    ]
    return {
        "blocked_by": blocked,
        "relax": relax,
        "reason": "no_usable_way",
        "message": answer_texts.explain_no_route(lang),
    }

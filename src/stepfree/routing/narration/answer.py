"""The complete answer to a route request: the same JSON for the CLI, the library and the API."""

from __future__ import annotations

import dataclasses
import operator
from datetime import datetime
from typing import Any, Literal, TypedDict, cast

import numpy as np

from stepfree.answers import (
    AnswerWarning,
    Block,
    FoundRoute,
    Instruction,
    RefusedRoute,
    Relaxation,
    RouteAnswer,
    RouteFeature,
    RouteReport,
    Season,
    Summary,
)
from stepfree.attributes import Highway, Tri
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs
from stepfree.costing.hours import is_open
from stepfree.costing.overlay import EMPTY, Overlay
from stepfree.errors import NoUsableWay
from stepfree.graph.model import Graph
from stepfree.profiles.model import Policy, Profile, preset
from stepfree.routing.access import ACCESS_WARN_M, end_refusal
from stepfree.routing.narration import instructions as words
from stepfree.routing.narration import texts as answer_texts
from stepfree.routing.narration.guidance import guidance_steps
from stepfree.routing.narration.i18n import check_language
from stepfree.routing.narration.provenance import provenance
from stepfree.routing.narration.summary import LOW_CONFIDENCE, osm_ids, summary, unknown_masks
from stepfree.routing.refusal import explain
from stepfree.routing.router import Route, Router
from stepfree.routing.walk import (
    Walk,
    coordinates,
    lengths_m,
    piece_line,
    pieces,
    route_length_m,
)

#: A route longer than this many times the walking route is worth a warning.
DETOUR_WARN = 1.5


class _Context(TypedDict):
    """What every route answer opens with."""

    profile: str
    lang: str
    at: str | None
    winter: bool
    season: Season


def _pedestrian_length(
    router: Router, origin: tuple[float, float], destination: tuple[float, float], context: Context
) -> float | None:
    walker = preset("pedestrian")
    costs = router.costs(walker, context)
    path = router.path_between(origin, destination, costs, walker.mobility.max_access_m)
    if path is None:
        return None
    legs = path.origin.snap.distance_m + path.destination.snap.distance_m
    return route_length_m(router.graph, path) + legs


def _warnings(
    graph: Graph,
    walk: Walk,
    path: Route,
    costs: Costs,
    profile: Profile,
    context: Context,
    masks: dict[str, np.ndarray],
    info: Summary,
    lang: str,
) -> list[AnswerWarning]:
    out: list[AnswerWarning] = []

    def add(code: str, **values: Any) -> None:
        spoken = {k: v for k, v in values.items() if k in {"percent", "factor", "metres"}}
        text = answer_texts.warning_text(code, lang, **spoken)  # refuses a code it lacks
        out.append(cast(AnswerWarning, {"code": code, **values, "text": text}))

    lengths = lengths_m(graph, walk)
    edges, nodes, entries = walk.edge, walk.nodes, walk.entry
    if "node:unknown_kerb" in masks:
        unknown = nodes[masks["node:unknown_kerb"][nodes]]
        if unknown.size:
            add(
                "unknown_kerb",
                count=int(unknown.size),
                osm_node_ids=[int(i) for i in graph.node("osm_id")[unknown]],
            )
    for name in ("unknown_incline", "unknown_width", "unknown_surface"):
        mask = masks.get(f"edge:{name}")
        if mask is not None and mask[edges].any():
            add(name, length_m=round(float(lengths[mask[edges]].sum()), 1))
    for rule in costs.rules:
        if rule.policy == Policy.AVOID and rule.level == "entry" and rule.mask[entries].any():
            if rule.attribute in {"surface", "smoothness"}:
                add("rough_surface", length_m=round(float(lengths[rule.mask[entries]].sum()), 1))
            elif rule.attribute == "winter_service":
                add(
                    "winter_unserviced", length_m=round(float(lengths[rule.mask[entries]].sum()), 1)
                )
    if profile.preferences.avoid_unlit:
        unlit = graph.edge("lit")[edges] == Tri.NO
        if unlit.any():
            add("unlit", length_m=round(float(lengths[unlit].sum()), 1))
    if context.at is not None and info["elevators"]:
        elevator_nodes = nodes[graph.node("elevator")[nodes] == Tri.YES]
        hours = [graph.string(int(h)) for h in graph.node("opening_hours")[elevator_nodes]]
        elevator_ways = edges[graph.edge("highway")[edges] == Highway.ELEVATOR]
        hours += [graph.string(int(h)) for h in graph.edge("opening_hours")[elevator_ways]]
        if any(h is not None and is_open(h, context.at) is None for h in hours):
            add("elevator_hours_unknown")
    if info["confidence"] < LOW_CONFIDENCE:
        add("low_confidence", percent=round(100 * info["confidence"]))
    detour = info["detour_factor"]
    if detour and detour > DETOUR_WARN:
        add("detour", factor=detour)
    for role, end in (("origin", path.origin), ("destination", path.destination)):
        if end.snap.distance_m > ACCESS_WARN_M:
            add(f"access_{role}", metres=round(end.snap.distance_m))
    return out


def _reports_that_changed(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    context: Context,
) -> list[RouteReport]:
    """Live reports the route would have met without them (so they changed it)."""
    closures = [c for c in context.active_closures() if c.policy(profile) != Policy.ALLOW]
    if not closures:
        return []
    costs = router.costs(profile, dataclasses.replace(context, overlay=EMPTY))
    unreported = router.path_between(origin, destination, costs, profile.mobility.max_access_m)
    if unreported is None:
        return []
    walk = pieces(router, unreported)
    edges = set(walk.edge.tolist())
    nodes = set(walk.nodes.tolist())
    return [
        {"report_id": c.report_id, "type": c.kind, "effect": _EFFECTS[c.policy(profile)]}
        for c in closures
        if edges & set(c.edges.tolist()) or nodes & set(c.nodes.tolist())
    ]


#: A report's effect on a route, by the policy it sets (an allowing report changes nothing).
_EFFECTS: dict[Policy, Literal["avoid", "forbid"]] = {
    Policy.AVOID: "avoid",
    Policy.FORBID: "forbid",
}

_STEP_FIELDS = tuple(field.name for field in dataclasses.fields(words.GuidanceStep))
_step_values = operator.attrgetter(*_STEP_FIELDS)  # every field of a step, in one call


def _step_fields(step: words.GuidanceStep) -> dict[str, Any]:
    """The set fields of a guidance step: those not empty, zero, false or None (names are
    copied, so an answer never shares them)."""
    out = {}
    for name, value in zip(_STEP_FIELDS, _step_values(step), strict=True):
        if value:
            out[name] = dict(value) if type(value) is dict else value
    return out


def _route_feature(coords: np.ndarray, profile: Profile) -> RouteFeature:
    if len(coords) == 1:  # start and destination are one point: RFC 7946 wants two positions
        coords = np.vstack((coords, coords))
    return {
        "type": "Feature",
        "properties": {"profile": profile.name},
        "geometry": {
            "type": "LineString",
            "coordinates": np.round(coords, 7).tolist(),
        },
    }


def answer(
    router: Router,
    origin: tuple[float, float],
    destination: tuple[float, float],
    profile: Profile,
    lang: str = "en",
    at: datetime | None = None,
    overlay: Overlay | None = None,
) -> RouteAnswer:
    """Route from ``origin`` to ``destination`` (each ``(lat, lon)``) for ``profile``:
    a `FoundRoute`, or a `RefusedRoute` (``route`` None) saying what blocks it."""
    check_language(lang)
    context = router.context(profile, at, overlay)
    costs = router.costs(profile, context)
    base: _Context = {
        "profile": profile.name,
        "lang": lang,
        "at": context.at_text,
        "winter": context.winter,
        "season": router.season(profile, context),
    }
    reproduced_by = provenance(router.graph, profile, context)
    reach = profile.mobility.max_access_m
    try:
        start = router.endpoint(*origin, costs, "origin", reach)
        end = router.endpoint(*destination, costs, "destination", reach)
    except NoUsableWay as error:
        refusal = end_refusal(router, error, origin, destination, profile, context, lang)
        refused: RefusedRoute = {**base, "route": None, **refusal, "provenance": reproduced_by}
        return refused
    path = router.search(start, end, costs)
    if path is None:
        why = explain(router, origin, destination, profile, context)
        blocked: list[Block] = [
            {
                **item,
                "text": answer_texts.explain_block(
                    item["attribute"],
                    item["value"],
                    item["limit"],
                    item["osm_type"],
                    item["osm_id"],
                    lang,
                ),
            }
            for item in why["blocked_by"]
        ]
        relax: list[Relaxation] = [
            {**item, "text": answer_texts.explain_relax(item["parameter"], item["to"], lang)}
            for item in why["relax"]
        ]
        message = answer_texts.explain_no_route(lang)
        return {
            **base,
            "route": None,
            "blocked_by": blocked,
            "relax": relax,
            "reason": why["reason"],
            "message": message,
            "provenance": reproduced_by,
        }
    graph = router.graph
    walk = pieces(router, path)
    line = piece_line(graph, walk)
    ends = (origin[1], origin[0]), (destination[1], destination[0])
    coords = coordinates(graph, walk, *ends, line=line)
    masks = unknown_masks(graph, profile)
    legs = (start.snap.distance_m, end.snap.distance_m)
    measures = summary(graph, walk, costs, masks, legs, profile.mobility.speed_m_s)
    if profile.key() == preset("pedestrian").key():  # this is the walking route
        walking: float | None = measures["length_m"]
    else:
        walking = _pedestrian_length(router, origin, destination, context)
    detour = round(measures["length_m"] / walking, 3) if walking else None
    info: Summary = {**measures, "detour_factor": detour}
    ways, node_ids = osm_ids(graph, walk)
    reports = _reports_that_changed(router, origin, destination, profile, context)
    steps = guidance_steps(graph, walk, line)
    texts = words.narrate(steps, lang, guidance=profile.guidance.announce)
    instructions = [
        {**_step_fields(step), "text": text} for step, text in zip(steps, texts, strict=True)
    ]
    found: FoundRoute = {
        **base,
        "route": _route_feature(coords, profile),
        "summary": info,
        "reports": reports,
        "osm_way_ids": ways,
        "osm_node_ids": node_ids,
        "instructions": cast(list[Instruction], instructions),  # the set fields of each step
        "warnings": _warnings(graph, walk, path, costs, profile, context, masks, info, lang),
        "summary_text": answer_texts.summary_text(
            info["length_m"], info["duration_s"], info["confidence"], info["detour_factor"], lang
        ),
        "provenance": reproduced_by,
    }
    return found

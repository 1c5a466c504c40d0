"""The rules of a profile, evaluated over a graph's arrays.

Each rule names the attribute it reads, the profile parameter that would relax it (if any), the
policy it applies (forbid or avoid) and a boolean mask of where it applies: per directed
adjacency entry for ways (an incline depends on the direction walked), per node for nodes.
Costing combines the masks; the no-route explanation reads them one by one, so the two can never
disagree about why something is blocked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from stepfree.graph.model import Graph, derived, directed_incline_pct
from stepfree.ingest.attributes import (
    MAJOR_ROADS,
    Access,
    Barrier,
    Crossing,
    Highway,
    Kerb,
    Sidewalk,
    Smoothness,
    Surface,
    Tri,
    Wheelchair,
)
from stepfree.profiles.model import Policy, Profile
from stepfree.profiles.overlay import EMPTY, Closure, Overlay

#: Typical kerb heights (m) by type when ``kerb:height`` is not mapped. Lowered: DIN 18040-3
#: allows up to 0.03 m, typical 0.02 m; rolled (mountable) kerbs rise 0.05-0.10 m; raised kerbs
#: are 0.10-0.15 m (Highway Code / DIN 18040-3 street kerbs). Flush is 0.
KERB_TYPICAL_M = {Kerb.FLUSH: 0.0, Kerb.LOWERED: 0.02, Kerb.ROLLED: 0.06, Kerb.RAISED: 0.12}
#: A limit at or above this is no limit for kerbs, so unknown kerbs do not matter.
KERB_NO_LIMIT_M = 0.25

SURFACE_ORDER = [
    "paved_smooth",
    "paving_stones",
    "compacted",
    "other",
    "sett",
    "gravel",
    "unpaved_soft",
]
SURFACE_RANK = np.zeros(max(Surface) + 1, dtype=np.int8)
for _surface in Surface:
    if _surface != Surface.UNKNOWN:
        SURFACE_RANK[_surface] = SURFACE_ORDER.index(_surface.name.lower())
SMOOTHNESS_ORDER = [s.name.lower() for s in Smoothness if s != Smoothness.UNKNOWN]


@dataclass(frozen=True)
class Rule:
    """Where one condition of the profile applies."""

    attribute: str  # the graph attribute read (kerb_height_m, incline_pct, step_count...)
    parameter: str | None  # the profile parameter that relaxes it, if any
    policy: Policy  # FORBID or AVOID
    level: str  # "entry" (directed way) or "node"
    mask: np.ndarray  # bool per entry or per node
    report_id: int | None = None  # the barrier report behind a "report" rule


@dataclass(frozen=True)
class Context:
    """When and where the trip happens."""

    winter: bool = False
    at: datetime | None = None  # local time of travel, None = now
    overlay: Overlay = field(default=EMPTY)

    def active_closures(self) -> tuple[Closure, ...]:
        """Reports valid at the time of travel (now when no time is given)."""
        if not self.overlay.closures:
            return ()
        at = self.at if self.at is not None else datetime.now(UTC)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return self.overlay.active(at)


def kerb_height_m(graph: Graph) -> np.ndarray:
    """Known kerb height, else the typical height of the mapped kerb type, else NaN."""
    return derived(graph, "kerb_height_m", _kerb_height_m)


def _kerb_height_m(graph: Graph) -> np.ndarray:
    height = graph.node("kerb_height_m").astype(np.float64)
    kind = graph.node("kerb")
    typical = np.full(height.shape, np.nan)
    for code, metres in KERB_TYPICAL_M.items():
        typical[kind == code] = metres
    return np.where(np.isnan(height), typical, height)


def unknown_kerb_nodes(graph: Graph) -> np.ndarray:
    """Nodes where a kerb may be but nothing says how high: unmapped kerbs and crossings."""
    return derived(graph, "unknown_kerb_nodes", _unknown_kerb_nodes)


def _unknown_kerb_nodes(graph: Graph) -> np.ndarray:
    from stepfree.graph.coverage import crossings  # the same crossing model as `inspect`

    height = kerb_height_m(graph)
    unknown: np.ndarray = (graph.node("barrier") == Barrier.KERB) & np.isnan(height)
    unknown |= (graph.node("kerb") == Kerb.OTHER) & np.isnan(height)
    unknown[crossings(graph).unknown_kerb_nodes] = True
    return unknown


def _policy_rule(
    attribute: str, parameter: str | None, policy: Policy, level: str, mask: np.ndarray
) -> list[Rule]:
    if policy == Policy.ALLOW or not mask.any():
        return []
    return [Rule(attribute, parameter, policy, level, mask)]


def entry_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """Rules over directed ways (one value per adjacency entry)."""
    mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
    edge = graph.arrays["csr.edge"]

    def per_entry(values: np.ndarray) -> np.ndarray:
        entries: np.ndarray = values[edge]
        return entries

    highway = per_entry(graph.edge("highway"))
    rules: list[Rule] = []
    steps = highway == Highway.STEPS
    count = per_entry(graph.edge("step_count"))
    ramp = np.zeros_like(steps)
    if mob.wheeled:
        wheelchair_ok = np.isin(
            per_entry(graph.edge("wheelchair")), [Wheelchair.YES, Wheelchair.DESIGNATED]
        )
        ramp = (per_entry(graph.edge("ramp_wheelchair")) == Tri.YES) | wheelchair_ok
    if mob.stroller_ramps:
        ramp |= per_entry(graph.edge("ramp_stroller")) == Tri.YES
    steps_blocked = steps & ~ramp
    if mob.max_step_count == 0:
        rules += _policy_rule("steps", "max_step_count", Policy.FORBID, "entry", steps_blocked)
    else:
        rules += _policy_rule(
            "step_count",
            "max_step_count",
            Policy.FORBID,
            "entry",
            steps_blocked & (count > mob.max_step_count),
        )
        rules += _policy_rule(
            "unknown_step_count",
            "unknown_step_count",
            pref.unknown_step_count,
            "entry",
            steps_blocked & (count < 0),
        )
    grade = directed_incline_pct(graph).astype(np.float64)
    rules += _policy_rule(
        "incline_pct", "max_incline_up_pct", Policy.FORBID, "entry", grade > mob.max_incline_up_pct
    )
    rules += _policy_rule(
        "incline_pct",
        "max_incline_down_pct",
        Policy.FORBID,
        "entry",
        -grade > mob.max_incline_down_pct,
    )
    if mob.max_incline_up_pct < 100 or mob.max_incline_down_pct < 100:
        rules += _policy_rule(
            "unknown_incline",
            "unknown_incline",
            pref.unknown_incline,
            "entry",
            np.isnan(grade) & ~steps,
        )
    width = per_entry(graph.edge("width_m")).astype(np.float64)
    if mob.min_width_m > 0:
        rules += _policy_rule(
            "width_m", "min_width_m", Policy.FORBID, "entry", width < mob.min_width_m
        )
        rules += _policy_rule(
            "unknown_width", "unknown_width", pref.unknown_width, "entry", np.isnan(width)
        )
    if mob.respect_wheelchair_tag:
        wheelchair = per_entry(graph.edge("wheelchair"))
        rules += _policy_rule(
            "wheelchair",
            "respect_wheelchair_tag",
            Policy.FORBID,
            "entry",
            wheelchair == Wheelchair.NO,
        )
        rules += _policy_rule(
            "wheelchair",
            "respect_wheelchair_tag",
            Policy.AVOID,
            "entry",
            wheelchair == Wheelchair.LIMITED,
        )
    surface = per_entry(graph.edge("surface"))
    too_rough = SURFACE_RANK[surface] > SURFACE_ORDER.index(mob.max_surface)
    rules += _policy_rule(
        "surface",
        "max_surface",
        mob.rough_policy,
        "entry",
        too_rough & (surface != Surface.UNKNOWN),
    )
    if mob.max_surface != SURFACE_ORDER[-1]:
        rules += _policy_rule(
            "unknown_surface",
            "unknown_surface",
            pref.unknown_surface,
            "entry",
            (surface == Surface.UNKNOWN) & ~steps,
        )
    smooth = per_entry(graph.edge("smoothness"))
    rules += _policy_rule(
        "smoothness",
        "max_smoothness",
        mob.rough_policy,
        "entry",
        smooth > SMOOTHNESS_ORDER.index(mob.max_smoothness) + 1,
    )
    major = np.isin(highway, [int(h) for h in MAJOR_ROADS])
    rules += _policy_rule(
        "sidewalk",
        "major_road_without_sidewalk",
        guide.major_road_without_sidewalk,
        "entry",
        major & (per_entry(graph.edge("sidewalk")) == Sidewalk.NO),
    )
    if context.winter:
        rules += _policy_rule(
            "winter_service",
            "winter_unserviced",
            pref.winter_unserviced,
            "entry",
            per_entry(graph.edge("winter_service")) == Tri.NO,
        )
    rules += _policy_rule(
        "access", None, Policy.FORBID, "entry", per_entry(graph.edge("access")) == Access.PRIVATE
    )
    return rules


def node_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """Rules over nodes (kerbs, barriers, crossings)."""
    mob, guide, pref = profile.mobility, profile.guidance, profile.preferences
    rules: list[Rule] = []
    height = kerb_height_m(graph)
    rules += _policy_rule(
        "kerb_height_m",
        "max_kerb_height_m",
        Policy.FORBID,
        "node",
        height > mob.max_kerb_height_m + 1e-9,
    )
    if mob.max_kerb_height_m < KERB_NO_LIMIT_M:
        rules += _policy_rule(
            "unknown_kerb", "unknown_kerb", pref.unknown_kerb, "node", unknown_kerb_nodes(graph)
        )
    barrier = graph.node("barrier")
    if mob.wheeled:
        rules += _policy_rule(
            "barrier",
            None,
            Policy.FORBID,
            "node",
            np.isin(barrier, [Barrier.TURNSTILE, Barrier.KISSING_GATE, Barrier.STILE]),
        )
        rules += _policy_rule(
            "barrier", None, Policy.AVOID, "node", barrier == Barrier.CYCLE_BARRIER
        )
    elif mob.max_step_count == 0:
        rules += _policy_rule("barrier", None, Policy.FORBID, "node", barrier == Barrier.STILE)
    crossing = graph.node("crossing")
    rules += _policy_rule("crossing", None, Policy.FORBID, "node", crossing == Crossing.NO)
    signals = crossing == Crossing.TRAFFIC_SIGNALS
    is_crossing = crossing != Crossing.NOT_A_CROSSING
    if guide.prefer_audible_signals:
        rules += _policy_rule(
            "signals_sound",
            "prefer_audible_signals",
            Policy.AVOID,
            "node",
            signals & (graph.node("signals_sound") != Tri.YES),
        )
    if guide.prefer_tactile_paving:
        rules += _policy_rule(
            "tactile_paving",
            "prefer_tactile_paving",
            Policy.AVOID,
            "node",
            is_crossing & (graph.node("tactile_paving") != Tri.YES),
        )
    return rules


def busy_uncontrolled_crossings(graph: Graph, profile: Profile) -> np.ndarray:
    """Crossings without signals over a road of many lanes or of class primary and above."""
    crossing = graph.node("crossing")
    uncontrolled = np.isin(crossing, [Crossing.MARKED, Crossing.UNMARKED, Crossing.UNKNOWN])
    busy = (graph.node("crossed_road_lanes") >= profile.guidance.busy_road_min_lanes) | (
        graph.node("crossed_road_class") >= Highway.PRIMARY
    )
    return uncontrolled & busy


def closed_elevators(graph: Graph, at: datetime | None) -> tuple[np.ndarray, np.ndarray]:
    """(closed nodes, closed edges) for elevators whose ``opening_hours`` say closed at ``at``.

    Only elevators are evaluated (a handful per city), so the Python loop is over them, not over
    the graph. Unknown hours are not closed: the route warns instead.
    """
    from stepfree.profiles.hours import is_open

    nodes = np.zeros(graph.n_nodes, dtype=bool)
    edges = np.zeros(graph.n_edges, dtype=bool)
    if at is None:
        return nodes, edges
    for mask, hours, where in (
        (graph.node("elevator") == Tri.YES, graph.node("opening_hours"), nodes),
        (graph.edge("highway") == Highway.ELEVATOR, graph.edge("opening_hours"), edges),
    ):
        for index in np.flatnonzero(mask & (hours >= 0)):
            if is_open(graph.strings[hours[index]], at) is False:
                where[index] = True
    return nodes, edges


def time_rules(graph: Graph, context: Context) -> list[Rule]:
    """Rules that depend on the time of travel (elevator hours; later, barrier reports)."""
    nodes, edges = closed_elevators(graph, context.at)
    return _policy_rule("elevator_closed", None, Policy.FORBID, "node", nodes) + _policy_rule(
        "elevator_closed", None, Policy.FORBID, "entry", edges[graph.arrays["csr.edge"]]
    )


def report_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """One rule per live barrier report that concerns this profile."""
    rules = []
    for closure in context.active_closures():
        policy = closure.policy(profile)
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

"""The rules of a profile, evaluated over a graph's arrays.

Each rule names the attribute it reads, the profile parameter that would relax it (if any), the
policy it applies (forbid or avoid) and a boolean mask of where it applies: per directed
adjacency entry for ways (an incline depends on the direction walked), per node for nodes.
Costing combines the masks; the no-route explanation reads them one by one, so the two can never
disagree about why something is blocked.

The rules come in groups (``RuleSpec``), each declaring the profile and context values it reads,
so a cache can key each group by exactly those values: a request that overrides
``max_kerb_height_m`` rebuilds the kerb mask alone (see ``stepfree.costing.cache``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from stepfree.attributes import (
    MAJOR_ROADS,
    NO_STRING,
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
from stepfree.costing.context import Context
from stepfree.graph.model import Graph, derived, directed_incline_pct
from stepfree.profiles.model import Policy, Profile

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
    """Nodes where a kerb may be but nothing says how high: unmapped kerbs and crossings, and
    kerbs whose tags could not be read safely (``kerb:height=3``, one side of a crossing)."""
    return derived(graph, "unknown_kerb_nodes", _unknown_kerb_nodes)


def _unknown_kerb_nodes(graph: Graph) -> np.ndarray:
    from stepfree.graph.coverage import crossings  # the same crossing model as `inspect`

    height = kerb_height_m(graph)
    unknown: np.ndarray = (graph.node("barrier") == Barrier.KERB) & np.isnan(height)
    unknown |= (graph.node("kerb") == Kerb.OTHER) & np.isnan(height)
    unknown |= graph.node("kerb_problem") != NO_STRING  # kerb tags not read safely
    unknown[crossings(graph).unknown_kerb_nodes] = True
    return unknown


def per_entry(graph: Graph, name: str) -> np.ndarray:
    """An edge attribute repeated for each directed adjacency entry (computed once per graph)."""
    return derived(graph, f"per_entry.{name}", lambda g: g.edge(name)[g.arrays["csr.edge"]])


def policy_rule(
    attribute: str, parameter: str | None, policy: Policy, level: str, mask: np.ndarray
) -> list[Rule]:
    """The rule as a list of one, or none where it allows or applies nowhere."""
    if policy == Policy.ALLOW or not mask.any():
        return []
    return [Rule(attribute, parameter, policy, level, mask)]


@dataclass(frozen=True)
class RuleSpec:
    """A group of rules: the values it reads from a profile and context, and its builder.

    ``build(graph, *reads(profile, context))`` gives the group's rules; it reads nothing else,
    so its result may be cached under ``(name, *reads(profile, context))``.
    """

    name: str
    reads: Callable[[Profile, Context], tuple[Any, ...]]
    build: Callable[..., list[Rule]]

    def rules(self, graph: Graph, profile: Profile, context: Context) -> list[Rule]:
        """The group's rules for one profile and context."""
        return self.build(graph, *self.reads(profile, context))


# -- rules over directed ways ------------------------------------------------------------------
def _steps(
    graph: Graph, wheeled: bool, stroller_ramps: bool, max_step_count: int, unknown: Policy
) -> list[Rule]:
    steps = per_entry(graph, "highway") == Highway.STEPS
    ramp = np.zeros_like(steps)
    if wheeled:
        wheelchair_ok = np.isin(
            per_entry(graph, "wheelchair"), [Wheelchair.YES, Wheelchair.DESIGNATED]
        )
        ramp = (per_entry(graph, "ramp_wheelchair") == Tri.YES) | wheelchair_ok
    if stroller_ramps:
        ramp |= per_entry(graph, "ramp_stroller") == Tri.YES
    blocked = steps & ~ramp
    if max_step_count == 0:
        return policy_rule("steps", "max_step_count", Policy.FORBID, "entry", blocked)
    count = per_entry(graph, "step_count")
    return policy_rule(
        "step_count", "max_step_count", Policy.FORBID, "entry", blocked & (count > max_step_count)
    ) + policy_rule(
        "unknown_step_count", "unknown_step_count", unknown, "entry", blocked & (count < 0)
    )


def _incline_up(graph: Graph, limit_pct: float) -> list[Rule]:
    grade = directed_incline_pct(graph)
    return policy_rule(
        "incline_pct", "max_incline_up_pct", Policy.FORBID, "entry", grade > np.float64(limit_pct)
    )


def _incline_down(graph: Graph, limit_pct: float) -> list[Rule]:
    grade = directed_incline_pct(graph)
    steeper = grade < -np.float64(limit_pct)  # -grade > limit, exactly, without a copy
    return policy_rule("incline_pct", "max_incline_down_pct", Policy.FORBID, "entry", steeper)


def _unknown_incline(graph: Graph, limited: bool, policy: Policy) -> list[Rule]:
    if not limited:
        return []
    steps = per_entry(graph, "highway") == Highway.STEPS
    unknown = np.isnan(directed_incline_pct(graph)) & ~steps
    return policy_rule("unknown_incline", "unknown_incline", policy, "entry", unknown)


def _width(graph: Graph, min_width_m: float) -> list[Rule]:
    if min_width_m <= 0:
        return []
    too_narrow = per_entry(graph, "width_m") < np.float64(min_width_m)
    return policy_rule("width_m", "min_width_m", Policy.FORBID, "entry", too_narrow)


def _unknown_width(graph: Graph, limited: bool, policy: Policy) -> list[Rule]:
    if not limited:
        return []
    unknown = np.isnan(per_entry(graph, "width_m"))
    return policy_rule("unknown_width", "unknown_width", policy, "entry", unknown)


def _wheelchair(graph: Graph, respect: bool) -> list[Rule]:
    if not respect:
        return []
    wheelchair = per_entry(graph, "wheelchair")
    return policy_rule(
        "wheelchair", "respect_wheelchair_tag", Policy.FORBID, "entry", wheelchair == Wheelchair.NO
    ) + policy_rule(
        "wheelchair",
        "respect_wheelchair_tag",
        Policy.AVOID,
        "entry",
        wheelchair == Wheelchair.LIMITED,
    )


def _rough_surface(graph: Graph, max_surface: str, policy: Policy) -> list[Rule]:
    surface = per_entry(graph, "surface")
    too_rough = SURFACE_RANK[surface] > SURFACE_ORDER.index(max_surface)
    mask = too_rough & (surface != Surface.UNKNOWN)
    return policy_rule("surface", "max_surface", policy, "entry", mask)


def _unknown_surface(graph: Graph, limited: bool, policy: Policy) -> list[Rule]:
    if not limited:
        return []
    steps = per_entry(graph, "highway") == Highway.STEPS
    unknown = (per_entry(graph, "surface") == Surface.UNKNOWN) & ~steps
    return policy_rule("unknown_surface", "unknown_surface", policy, "entry", unknown)


def _smoothness(graph: Graph, max_smoothness: str, policy: Policy) -> list[Rule]:
    rough = per_entry(graph, "smoothness") > SMOOTHNESS_ORDER.index(max_smoothness) + 1
    return policy_rule("smoothness", "max_smoothness", policy, "entry", rough)


def _sidewalk(graph: Graph, policy: Policy) -> list[Rule]:
    if policy == Policy.ALLOW:
        return []
    major = np.isin(per_entry(graph, "highway"), [int(h) for h in MAJOR_ROADS])
    mask = major & (per_entry(graph, "sidewalk") == Sidewalk.NO)
    return policy_rule("sidewalk", "major_road_without_sidewalk", policy, "entry", mask)


def _winter(graph: Graph, winter: bool, policy: Policy) -> list[Rule]:
    if not winter:
        return []
    unserviced = per_entry(graph, "winter_service") == Tri.NO
    return policy_rule("winter_service", "winter_unserviced", policy, "entry", unserviced)


def _access(graph: Graph) -> list[Rule]:
    private = per_entry(graph, "access") == Access.PRIVATE
    return policy_rule("access", None, Policy.FORBID, "entry", private)


#: Rules over directed ways, in the order costing and explanations list them.
ENTRY_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec(
        "steps",
        lambda p, c: (
            p.mobility.wheeled,
            p.mobility.stroller_ramps,
            p.mobility.max_step_count,
            p.preferences.unknown_step_count,
        ),
        _steps,
    ),
    RuleSpec("incline_up", lambda p, c: (p.mobility.max_incline_up_pct,), _incline_up),
    RuleSpec("incline_down", lambda p, c: (p.mobility.max_incline_down_pct,), _incline_down),
    RuleSpec(
        "unknown_incline",
        lambda p, c: (
            p.mobility.max_incline_up_pct < 100 or p.mobility.max_incline_down_pct < 100,
            p.preferences.unknown_incline,
        ),
        _unknown_incline,
    ),
    RuleSpec("width", lambda p, c: (p.mobility.min_width_m,), _width),
    RuleSpec(
        "unknown_width",
        lambda p, c: (p.mobility.min_width_m > 0, p.preferences.unknown_width),
        _unknown_width,
    ),
    RuleSpec("wheelchair", lambda p, c: (p.mobility.respect_wheelchair_tag,), _wheelchair),
    RuleSpec(
        "surface", lambda p, c: (p.mobility.max_surface, p.mobility.rough_policy), _rough_surface
    ),
    RuleSpec(
        "unknown_surface",
        lambda p, c: (
            p.mobility.max_surface != SURFACE_ORDER[-1],
            p.preferences.unknown_surface,
        ),
        _unknown_surface,
    ),
    RuleSpec(
        "smoothness",
        lambda p, c: (p.mobility.max_smoothness, p.mobility.rough_policy),
        _smoothness,
    ),
    RuleSpec("sidewalk", lambda p, c: (p.guidance.major_road_without_sidewalk,), _sidewalk),
    RuleSpec("winter", lambda p, c: (c.winter, p.preferences.winter_unserviced), _winter),
    RuleSpec("access", lambda p, c: (), _access),
)


# -- rules over nodes --------------------------------------------------------------------------
def _kerb(graph: Graph, max_kerb_height_m: float) -> list[Rule]:
    too_high = kerb_height_m(graph) > max_kerb_height_m + 1e-9
    return policy_rule("kerb_height_m", "max_kerb_height_m", Policy.FORBID, "node", too_high)


def _unknown_kerb(graph: Graph, limited: bool, policy: Policy) -> list[Rule]:
    if not limited:
        return []
    return policy_rule("unknown_kerb", "unknown_kerb", policy, "node", unknown_kerb_nodes(graph))


def _barrier(graph: Graph, wheeled: bool, no_steps: bool) -> list[Rule]:
    barrier = graph.node("barrier")
    if wheeled:
        impassable = np.isin(barrier, [Barrier.TURNSTILE, Barrier.KISSING_GATE, Barrier.STILE])
        return policy_rule("barrier", None, Policy.FORBID, "node", impassable) + policy_rule(
            "barrier", None, Policy.AVOID, "node", barrier == Barrier.CYCLE_BARRIER
        )
    if no_steps:
        return policy_rule("barrier", None, Policy.FORBID, "node", barrier == Barrier.STILE)
    return []


def _crossing(graph: Graph) -> list[Rule]:
    refused = graph.node("crossing") == Crossing.NO
    return policy_rule("crossing", None, Policy.FORBID, "node", refused)


def _signals_sound(graph: Graph, prefer: bool) -> list[Rule]:
    if not prefer:
        return []
    signals = graph.node("crossing") == Crossing.TRAFFIC_SIGNALS
    silent = signals & (graph.node("signals_sound") != Tri.YES)
    return policy_rule("signals_sound", "prefer_audible_signals", Policy.AVOID, "node", silent)


def _tactile(graph: Graph, prefer: bool) -> list[Rule]:
    if not prefer:
        return []
    is_crossing = graph.node("crossing") != Crossing.NOT_A_CROSSING
    bare = is_crossing & (graph.node("tactile_paving") != Tri.YES)
    return policy_rule("tactile_paving", "prefer_tactile_paving", Policy.AVOID, "node", bare)


#: Rules over nodes (kerbs, barriers, crossings), in order.
NODE_SPECS: tuple[RuleSpec, ...] = (
    RuleSpec("kerb", lambda p, c: (p.mobility.max_kerb_height_m,), _kerb),
    RuleSpec(
        "unknown_kerb",
        lambda p, c: (
            p.mobility.max_kerb_height_m < KERB_NO_LIMIT_M,
            p.preferences.unknown_kerb,
        ),
        _unknown_kerb,
    ),
    RuleSpec(
        "barrier", lambda p, c: (p.mobility.wheeled, p.mobility.max_step_count == 0), _barrier
    ),
    RuleSpec("crossing", lambda p, c: (), _crossing),
    RuleSpec("signals_sound", lambda p, c: (p.guidance.prefer_audible_signals,), _signals_sound),
    RuleSpec("tactile_paving", lambda p, c: (p.guidance.prefer_tactile_paving,), _tactile),
)


def entry_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """Rules over directed ways (one value per adjacency entry)."""
    return [rule for spec in ENTRY_SPECS for rule in spec.rules(graph, profile, context)]


def node_rules(graph: Graph, profile: Profile, context: Context) -> list[Rule]:
    """Rules over nodes (kerbs, barriers, crossings)."""
    return [rule for spec in NODE_SPECS for rule in spec.rules(graph, profile, context)]


def busy_uncontrolled_crossings(graph: Graph, profile: Profile) -> np.ndarray:
    """Crossings without signals over a road of many lanes or of class primary and above."""
    return busy_crossings(graph, profile.guidance.busy_road_min_lanes)


def busy_crossings(graph: Graph, min_lanes: int) -> np.ndarray:
    """Uncontrolled crossings over a road of ``min_lanes`` or more, or of class primary+."""
    crossing = graph.node("crossing")
    uncontrolled = np.isin(crossing, [Crossing.MARKED, Crossing.UNMARKED, Crossing.UNKNOWN])
    busy = (graph.node("crossed_road_lanes") >= min_lanes) | (
        graph.node("crossed_road_class") >= Highway.PRIMARY
    )
    mask: np.ndarray = uncontrolled & busy
    return mask

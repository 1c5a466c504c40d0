"""Costs cached in parts, so that a request overriding one parameter rebuilds only that part.

``costs_for`` computes everything from scratch; ``CostCache.costs`` gives the same arrays, bit
for bit, by reusing what the request shares with earlier ones:

1. **Rule groups** (``rules.RuleSpec``) are cached under the exact profile and context values
   each reads. A new mask equal to a cached mask of the same rule is replaced by it (interned),
   so values that select the same ways (``max_kerb_height_m`` 0.030 or 0.031 where no kerb lies
   between) give the very same rule.
2. **Recipes**: the costs depend only on the rules in order and a few scalars (speed, wheels,
   avoid factors, detours). Profiles with the same recipe share one ``Costs``.
3. **A new recipe** starts from the cached one nearest to it (same speed and wheels, fewest
   differing masks): only the entries and nodes under the masks that differ (or touched by a
   changed scalar) are recomputed, with the per-element arithmetic of ``costs_for``; the rest
   is copied. So an override of a kerb limit costs one comparison over nodes plus the entries
   arriving at the nodes whose cost changed.

Every cache is an LRU of bounded size. The shared arrays are made read-only, except
``entry_cost``, which the compiled search takes as it always has.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from stepfree.costing.combine import (
    Scalars,
    avoid_rules,
    edge_costs,
    entries_of,
    node_costs,
    rule_counts,
    unlit_entries,
    usable_edges,
    usable_patched,
)
from stepfree.costing.context import Context
from stepfree.costing.costs import Costs, seconds_at_nodes, walk_seconds
from stepfree.costing.live_rules import closed_elevator_indices, closure_rules, elevator_rules
from stepfree.costing.overlay import Closure
from stepfree.costing.rules import ENTRY_SPECS, NODE_SPECS, Rule, RuleSpec, busy_crossings
from stepfree.graph.model import Graph
from stepfree.profiles.model import Policy, Profile

#: Above this share of entries (or nodes) to recompute, one full pass beats copy-and-patch.
FULL_PASS_SHARE = 0.1
#: Rule groups kept (a group holds one or two masks; each profile has about 20 groups).
GROUP_CACHE_SIZE = 128
#: Requests remembered (profile key and context -> recipe; small tuples).
REQUEST_CACHE_SIZE = 1024

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A mapping that keeps the ``size`` most recently used items."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value, marked as recently used, or None."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        """Store a value, dropping the least recently used beyond ``size``."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def values(self) -> list[V]:
        """The values, least recently used first."""
        return list(self._items.values())

    def __len__(self) -> int:
        return len(self._items)


#: An interned rule: (token, rule, how many entries or nodes it covers).
Held = tuple[int, Rule, int]
Recipe = tuple[Scalars, tuple[int, ...]]
#: Elements of a level to recompute (None: all of them)
Index = np.ndarray | None


@dataclass(frozen=True)
class _Built:
    """A cached ``Costs`` with its recipe, to derive neighbours from."""

    scalars: Scalars
    held: tuple[Held, ...]
    tokens: frozenset[int]
    covered: dict[int, int]  # token -> entries or nodes it covers
    costs: Costs


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


class CostCache:
    """``Costs`` for one graph, cached in parts (see the module notes). Thread-safe."""

    def __init__(self, graph: Graph, size: int = 32) -> None:
        self.graph = graph
        self._lock = threading.Lock()
        self._tokens = itertools.count()
        self._requests: LRU[tuple[object, ...], Recipe] = LRU(REQUEST_CACHE_SIZE)
        self._built: LRU[Recipe, _Built] = LRU(size)
        self._groups: LRU[tuple[object, ...], tuple[Held, ...]] = LRU(GROUP_CACHE_SIZE)
        self._interned: LRU[tuple[object, ...], tuple[Held, ...]] = LRU(GROUP_CACHE_SIZE)
        self._closed: LRU[str | None, tuple[np.ndarray, np.ndarray]] = LRU(64)
        self._walk: LRU[tuple[float, bool], tuple[np.ndarray, np.ndarray, np.ndarray]] = LRU(4)
        self._busy: LRU[int, np.ndarray] = LRU(4)

    def costs(self, profile: Profile, context: Context | None = None) -> Costs:
        """Costs for a profile and context: equal to ``costs_for(graph, profile, context)``."""
        context = context or Context()
        with self._lock:
            when = context.at_text  # wall time + zone
            closed = self._closed.get(when)
            if closed is None:
                closed = self._closed.put(when, closed_elevator_indices(self.graph, context.at))
            closures = context.active_closures()
            policies = tuple(c.policy(profile) for c in closures)
            reports = tuple(
                (c.report_id, c.edges.tobytes(), c.nodes.tobytes(), p)
                for c, p in zip(closures, policies, strict=True)
            )
            situation = (context.winter, closed[0].tobytes(), closed[1].tobytes(), reports)
            request = (profile.key(), situation)
            recipe = self._requests.get(request)
            built = self._built.get(recipe) if recipe is not None else None
            if built is None:
                held = self._rules(profile, context, closed, closures, policies, reports)
                recipe = (Scalars.of(profile), tuple(h[0] for h in held))
                self._requests.put(request, recipe)
                built = self._built.get(recipe)
                if built is None:
                    built = self._built.put(recipe, self._build(recipe[0], held))
            return built.costs

    def sizes(self) -> dict[str, int]:
        """How many items each cache holds now (each is an LRU of bounded size)."""
        with self._lock:
            return {
                "costs": len(self._built),
                "requests": len(self._requests),
                "groups": len(self._groups),
                "interned": len(self._interned),
                "closed_elevators": len(self._closed),
                "walk_seconds": len(self._walk),
                "busy_crossings": len(self._busy),
            }

    # -- rules -------------------------------------------------------------------------------
    def _rules(
        self,
        profile: Profile,
        context: Context,
        closed: tuple[np.ndarray, np.ndarray],
        closures: tuple[Closure, ...],
        policies: tuple[Policy, ...],
        reports: tuple[object, ...],
    ) -> tuple[Held, ...]:
        """The profile's rules in ``costs_for``'s order, each group from the cache."""
        graph, held = self.graph, list[Held]()
        for spec in ENTRY_SPECS + NODE_SPECS:
            held += self._group(spec, profile, context)
        key = ("elevators", closed[0].tobytes(), closed[1].tobytes())
        held += self._cached(key, lambda: elevator_rules(graph, *closed))
        if closures:
            held += self._cached(
                ("reports", reports), lambda: closure_rules(graph, closures, policies)
            )
        return tuple(held)

    def _group(self, spec: RuleSpec, profile: Profile, context: Context) -> tuple[Held, ...]:
        values = spec.reads(profile, context)
        return self._cached((spec.name, *values), lambda: spec.build(self.graph, *values))

    def _cached(self, key: tuple[object, ...], build: Callable[[], list[Rule]]) -> tuple[Held, ...]:
        held = self._groups.get(key)
        if held is None:
            held = self._groups.put(key, tuple(self._intern(rule) for rule in build()))
        return held

    def _intern(self, rule: Rule) -> Held:
        """The cached rule equal to ``rule`` (same names, policy and mask), else ``rule``."""
        count = int(np.count_nonzero(rule.mask))
        key = (rule.attribute, rule.parameter, rule.policy, rule.level, rule.report_id, count)
        same = self._interned.get(key) or ()
        for held in same:
            if np.array_equal(held[1].mask, rule.mask):
                return held
        _frozen(rule.mask)
        held = (next(self._tokens), rule, count)
        self._interned.put(key, (*same[-3:], held))
        return held

    # -- arrays ------------------------------------------------------------------------------
    def _walk_parts(self, scalars: Scalars) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(seconds per entry, the same plus the node reached, seconds per node)."""
        key = (scalars.speed_m_s, scalars.wheeled)
        parts = self._walk.get(key)
        if parts is None:
            seconds = walk_seconds(self.graph, *key)
            at_nodes = seconds_at_nodes(self.graph, scalars.wheeled)
            with_nodes = seconds + at_nodes[self.graph.arrays["csr.target"]]
            parts = self._walk.put(key, (_frozen(seconds), _frozen(with_nodes), _frozen(at_nodes)))
        return parts

    def _busy_nodes(self, scalars: Scalars) -> np.ndarray | None:
        lanes = scalars.busy_road_min_lanes
        if lanes is None:
            return None
        busy = self._busy.get(lanes)
        if busy is None:
            busy = self._busy.put(lanes, _frozen(busy_crossings(self.graph, lanes)))
        return busy

    def _build(self, scalars: Scalars, held: tuple[Held, ...]) -> _Built:
        """Costs for a new recipe, from the nearest cached recipe when there is one."""
        tokens = frozenset(h[0] for h in held)
        covered = {h[0]: h[2] for h in held}
        best, best_size = None, 0
        for built in self._built.values() if len(tokens) == len(held) else ():
            if (built.scalars.speed_m_s, built.scalars.wheeled) != (
                scalars.speed_m_s,
                scalars.wheeled,
            ) or len(built.tokens) != len(built.held):
                continue  # every entry's seconds differ (or a rule repeats): full pass
            size = sum({**built.covered, **covered}[t] for t in built.tokens ^ tokens)
            size += int(built.scalars != scalars)
            if best is None or size <= best_size:
                best, best_size = built, size
        changed = self._changed(best, scalars, held, tokens) if best is not None else None
        entry_cost, edge_cost, node_cost, usable = self._combine(best, scalars, held, changed)
        _, with_nodes, at_nodes = self._walk_parts(scalars)
        costs = Costs(
            entry_cost=entry_cost,  # writable: the compiled search takes it as it always has
            entry_seconds=with_nodes,
            edge_cost=_frozen(edge_cost),
            node_cost=_frozen(node_cost),
            node_seconds=at_nodes,
            edge_usable=_frozen(usable),
            rules=tuple(h[1] for h in held),
            min_cost_per_m=1.0 / scalars.speed_m_s,
        )
        return _Built(scalars, held, tokens, {h[0]: h[2] for h in held}, costs)

    def _changed(
        self, base: _Built, scalars: Scalars, held: tuple[Held, ...], tokens: frozenset[int]
    ) -> dict[str, np.ndarray]:
        """Per level, where the costs of ``base`` and of the new recipe may differ."""
        both = {h[0]: h[1] for h in (*base.held, *held)}
        marks: dict[str, list[np.ndarray]] = {"entry": [], "node": []}
        for token in base.tokens ^ tokens:
            marks[both[token].level].append(both[token].mask)
        old = base.scalars
        for level, differs in (
            ("entry", scalars.avoid_factor != old.avoid_factor),
            ("node", scalars.avoid_node_s != old.avoid_node_s),
        ):
            if differs:  # every element some AVOID rule covers, before or now
                marks[level] += [
                    r.mask for r in both.values() if r.level == level and r.policy == Policy.AVOID
                ]
        if scalars.unlit_factor != old.unlit_factor:
            marks["entry"].append(unlit_entries(self.graph))
        if (scalars.crossing_s, scalars.busy_road_min_lanes) != (
            old.crossing_s,
            old.busy_road_min_lanes,
        ):
            busy = (self._busy_nodes(old), self._busy_nodes(scalars))
            marks["node"] += [b for b in busy if b is not None]
        return {level: _union(masks) for level, masks in marks.items() if masks}

    def _combine(
        self,
        base: _Built | None,
        scalars: Scalars,
        held: tuple[Held, ...],
        changed: dict[str, np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(entry_cost, edge_cost, node_cost, edge_usable): each part shared with ``base``
        where nothing changed, patched where little did, else computed by a full pass."""
        graph, rules = self.graph, [h[1] for h in held]
        seconds, _, at_nodes = self._walk_parts(scalars)
        entries = nodes = None  # None: full pass
        if base is not None and changed is not None:
            entries, nodes = _where(changed.get("entry")), _where(changed.get("node"))
        lit_no = unlit_entries(graph) if scalars.unlit_factor is not None else None
        busy = self._busy_nodes(scalars)

        def ways(index: Index, forbid: np.ndarray, avoid: np.ndarray, n: int) -> np.ndarray:
            walk = seconds if index is None else seconds[index]
            return edge_costs(walk, forbid, avoid, _part(lit_no, index), scalars, n)

        def at(index: Index, forbid: np.ndarray, avoid: np.ndarray, n: int) -> np.ndarray:
            wait = at_nodes if index is None else at_nodes[index]
            return node_costs(wait, forbid, avoid, _part(busy, index), scalars, n)

        edge_base = None if base is None else base.costs.edge_cost
        node_base = None if base is None else base.costs.node_cost
        edge_cost, entries = _level(rules, "entry", entries, seconds.shape[0], edge_base, ways)
        node_cost, nodes = _level(rules, "node", nodes, graph.n_nodes, node_base, at)
        if entries is None:
            usable = usable_edges(graph, edge_cost)
        else:
            assert base is not None
            usable = base.costs.edge_usable
            before = base.costs.edge_cost[entries]
            if (np.isfinite(edge_cost[entries]) != np.isfinite(before)).any():
                usable = usable_patched(graph, usable, edge_cost, entries)
        target = graph.arrays["csr.target"]
        if entries is None or nodes is None:
            return edge_cost + node_cost[target], edge_cost, node_cost, usable
        assert base is not None
        entry_cost = base.costs.entry_cost
        if entries.size or nodes.size:
            touched = np.concatenate((entries, entries_of(graph, "target", nodes)))
            entry_cost = entry_cost.copy()
            entry_cost[touched] = edge_cost[touched] + node_cost[target[touched]]
        return entry_cost, edge_cost, node_cost, usable


def _part(array: np.ndarray | None, index: np.ndarray | None) -> np.ndarray | None:
    """``array`` at ``index`` (all of it for None); None stays None."""
    return array if array is None or index is None else array[index]


def _level(
    rules: list[Rule],
    level: str,
    index: np.ndarray | None,
    size: int,
    base: np.ndarray | None,
    cost: Callable[[np.ndarray | None, np.ndarray, np.ndarray, int], np.ndarray],
) -> tuple[np.ndarray, np.ndarray | None]:
    """One level's costs (``entry`` or ``node``): a full pass over ``size`` elements when
    ``index`` is None, else ``base`` patched at ``index``; and the elements that changed (None
    after a full pass). ``cost(index, forbidden, avoid counts, avoid rules)`` is the
    per-element arithmetic of that level (`combine.edge_costs`, `combine.node_costs`)."""
    n_avoid = avoid_rules(rules, level)
    if index is None:
        forbid, avoid = rule_counts(rules, level, None, size)
        return cost(None, forbid, avoid, n_avoid), None
    assert base is not None
    if not index.size:
        return base, index
    forbid, avoid = rule_counts(rules, level, index, 0)
    return _patched(base, index, cost(index, forbid, avoid, n_avoid))


def _patched(
    array: np.ndarray, index: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``array`` with ``values`` at ``index`` where they differ from it (a copy, only when
    one does), and the indices that changed."""
    keep = values != array[index]
    index, values = index[keep], values[keep]
    if index.size:
        array = array.copy()
        array[index] = values
    return array, index


def _union(masks: list[np.ndarray]) -> np.ndarray:
    if len(masks) == 1:
        return masks[0]
    out: np.ndarray = masks[0] | masks[1]
    for mask in masks[2:]:
        out |= mask
    return out


def _where(changed: np.ndarray | None) -> np.ndarray | None:
    """Indices to recompute (none when nothing changed); None when a full pass is cheaper."""
    if changed is None:
        return np.empty(0, dtype=np.int64)
    index = np.flatnonzero(changed)
    return None if index.size > FULL_PASS_SHARE * changed.shape[0] else index

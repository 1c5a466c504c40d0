"""Landmarks on a profile's own costs: a tighter bound for the A* than metres (directed ALT).

The metre landmarks (`search.landmarks`) hold for every profile, but they are loose for a
profile whose cost per metre varies: a wheelchair's avoided surfaces, kerbs and crossing waits
cost several times its least cost per metre. On the sample city the metre bound is 45 % of the
true wheelchair cost at the median pair; a bound from the wheelchair's own costs is 92 %.

A table holds, for L landmarks, the cost from each landmark to every node and from every node
to each landmark, over the entry costs of one `Costs` (one row per node: L costs from, then L
costs to; float32, ``inf`` where there is no way). For nodes ``v``, ``g`` and a landmark ``L``,
``c(L, g) - c(L, v)`` and ``c(v, L) - c(g, L)`` are lower bounds of ``c(v, g)`` (triangle
inequality), and ``inf`` tells that ``g`` is out of ``v``'s reach (the search ends at once).

A table stays a lower bound for any costs at least as high on every entry: a request that only
tightens a preset (a lower kerb limit, winter, a way closed by a report) borrows the preset's
table; other costs fall back to the metre landmarks. A table is 2 L Dijkstras over the whole
graph: about 5 ms on the sample city's 4,000 nodes, 2 s on 500,000. So on graphs below
`AUTO_BELOW_NODES` costs get their own table when searched `USES_BEFORE_TABLE` times; on
bigger ones only when prepared (``Router.prepare``; ``stepfree serve`` prepares every preset
when it starts), so that no request waits seconds for one. The tables are shared by the
routers of a graph, within `MAX_BYTES`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from stepfree.graph.model import Graph
from stepfree.routing.search.kernels import NO_LANDMARKS, costs_at_least
from stepfree.routing.search.landmarks import landmark_table
from stepfree.routing.search.paths import SearchWorkspace, entry_sources, one_to_all

__all__ = [
    "AUTO_BELOW_NODES",
    "USES_BEFORE_TABLE",
    "CostLandmarks",
    "cost_landmark_table",
    "cost_landmarks_of",
    "reverse_adjacency",
    "reverse_csr",
]

#: Landmarks per table (8 bytes per node each, from and to).
LANDMARKS = 8
#: Searches with the same costs before a table is computed for them: a one-off request with
#: overrides never pays for a table.
USES_BEFORE_TABLE = 2
#: Graphs from this many nodes get tables only for prepared costs (a table: ~0.25 s here).
AUTO_BELOW_NODES = 100_000
#: Memory the tables of one graph may take (the oldest go first), and costs remembered.
MAX_BYTES = 256 * 2**20
COSTS_KEPT = 64


def cost_landmark_table(
    indptr: np.ndarray,
    target: np.ndarray,
    entry_cost: np.ndarray,
    candidates: np.ndarray,
    part_nodes: int,
    count: int = LANDMARKS,
    reverse: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    workspace: SearchWorkspace | None = None,
) -> np.ndarray:
    """Costs from and to ``count`` landmarks, float32 of shape ``(n_nodes, 2 * count)``
    (fewer landmarks when the network is smaller).

    The first landmark is the first of ``candidates`` (say the metre landmarks) that reaches,
    and is reached by, more than half of ``part_nodes`` (the size of the network's main part)
    under these costs, else the best of them; each next one is the node farthest (cost there
    and back) from all landmarks so far.
    ``reverse`` is `reverse_csr` when at hand.
    """
    n = indptr.shape[0] - 1
    if n == 0 or candidates.size == 0:
        return np.zeros((n, 0), np.float32)
    rev_indptr, rev_target, order = reverse if reverse is not None else reverse_csr(indptr, target)
    rev_cost = entry_cost[order]
    ws = workspace or SearchWorkspace(n)

    def there_and_back(node: int) -> tuple[np.ndarray, np.ndarray]:
        out, _ = one_to_all(indptr, target, entry_cost, [node], [0.0], workspace=ws)
        back, _ = one_to_all(rev_indptr, rev_target, rev_cost, [node], [0.0], workspace=ws)
        return out, back

    tried: list[tuple[int, np.ndarray, np.ndarray]] = []
    for node in candidates.tolist():
        out, back = there_and_back(int(node))
        tried.append((int(np.sum(np.isfinite(out) & np.isfinite(back))), out, back))
        if 2 * tried[-1][0] > part_nodes:
            break
    _, out, back = max(tried, key=lambda t: t[0])
    froms, tos = [out], [back]
    round_trip = out + back
    nearest = np.where(np.isfinite(round_trip), round_trip, -1.0)
    for _ in range(count - 1):
        landmark = int(np.argmax(nearest))
        if nearest[landmark] <= 0:
            break  # every node both ways is a landmark already
        out, back = there_and_back(landmark)
        froms.append(out)
        tos.append(back)
        round_trip = out + back
        nearest = np.minimum(nearest, np.where(np.isfinite(round_trip), round_trip, -1.0))
    table: np.ndarray = np.ascontiguousarray(np.column_stack(froms + tos).astype(np.float32))
    return table


def reverse_csr(
    indptr: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Entries by target node: ``(indptr, source of each entry, the entry's index)``."""
    n = indptr.shape[0] - 1
    order = np.argsort(target, kind="stable")
    rev_indptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(target, minlength=n), out=rev_indptr[1:])
    return rev_indptr, entry_sources(indptr)[order], order


_CREATE = threading.Lock()
Reverse = tuple[np.ndarray, np.ndarray, np.ndarray]


def reverse_adjacency(graph: Graph) -> Reverse:
    """The graph's entries by target node (`reverse_csr` of its CSR), computed once per graph
    and shared (cost landmark tables and reachability checks search backwards on it)."""
    with _CREATE:
        cached: Reverse | None = graph.derived.get("reverse_csr")
        if cached is None:
            indptr = np.asarray(graph.arrays["csr.indptr"], dtype=np.int64)
            target = np.asarray(graph.arrays["csr.target"], dtype=np.int32)
            cached = graph.derived["reverse_csr"] = reverse_csr(indptr, target)
    return cached


@dataclass(slots=True)
class _Seen:
    """What the tables know of one array of entry costs."""

    costs: np.ndarray  # held, so that its id is not reused while it is here
    table: np.ndarray | None  # its own table, one borrowed, or None
    own: bool  # computed on these very costs (or on equal ones)
    searches: int = 0
    computing: bool = False


def cost_landmarks_of(graph: Graph, indptr: np.ndarray, target: np.ndarray) -> CostLandmarks:
    """The graph's cost landmark tables, shared by its routers (``indptr`` and ``target``:
    its CSR adjacency; the metre landmarks give the candidates for the first landmark)."""
    with _CREATE:
        tables = graph.derived.get("cost_landmarks")
        if tables is None:
            tables = graph.derived["cost_landmarks"] = CostLandmarks(
                indptr, target, landmark_table(graph), lambda: reverse_adjacency(graph)
            )
    return tables


class CostLandmarks:
    """Cost landmark tables for one graph: computed for costs searched often, lent to costs at
    least as high. Thread-safe (a lock; computing a table holds it)."""

    def __init__(
        self,
        indptr: np.ndarray,
        target: np.ndarray,
        metre_landmarks: np.ndarray,
        reverse: Callable[[], Reverse] | None = None,
    ):
        self._csr = (indptr, target)
        self._reverse_of = reverse or (lambda: reverse_csr(indptr, target))
        # the metre landmarks' own nodes (distance 0) are the candidates for the first one
        candidates = np.argmin(metre_landmarks, axis=0) if metre_landmarks.size else []
        self._candidates = np.asarray(candidates, dtype=np.int64)
        self._part_nodes = (
            int(np.isfinite(metre_landmarks[:, 0]).sum()) if metre_landmarks.size else 0
        )
        self.enabled = indptr.shape[0] > 1 and self._candidates.size > 0
        self.automatic = indptr.shape[0] - 1 < AUTO_BELOW_NODES
        self._lock = threading.Lock()  # the bookkeeping below
        self._computing = threading.Lock()  # one table computed at a time (one workspace)
        self._reverse: Reverse | None = None
        self._workspace: SearchWorkspace | None = None
        # entry costs a table was computed on, and the table: newest first
        self._tables: list[tuple[np.ndarray, np.ndarray]] = []
        self._seen: OrderedDict[int, _Seen] = OrderedDict()  # by id of the entry costs

    def table(self, entry_cost: np.ndarray, prepare: bool = False) -> np.ndarray:
        """The table for a search with these entry costs (`NO_LANDMARKS` when none fits yet);
        ``prepare`` computes their own table now, whatever the graph's size.

        A table is computed outside the bookkeeping lock, so searches with other costs go on
        meanwhile (and searches with these costs use what they had).
        """
        if not self.enabled:
            return NO_LANDMARKS
        with self._lock:
            seen = self._seen.get(id(entry_cost))
            if seen is None or seen.costs is not entry_cost:  # held, so ids stay unique
                seen = _Seen(entry_cost, *self._borrowed(entry_cost))
                self._seen[id(entry_cost)] = seen
                if len(self._seen) > COSTS_KEPT:
                    self._seen.popitem(last=False)
            else:
                self._seen.move_to_end(id(entry_cost))
            seen.searches += 1
            wanted = prepare or (self.automatic and seen.searches >= USES_BEFORE_TABLE)
            compute = wanted and not seen.own and not seen.computing
            seen.computing |= compute
            table = seen.table
        if compute:
            try:
                table = self._compute(entry_cost)
            except BaseException:
                seen.computing = False
                raise
            with self._lock:
                seen.table, seen.own, seen.computing = table, True, False
                self._keep(entry_cost, table)
        return table if table is not None else NO_LANDMARKS

    def _borrowed(self, entry_cost: np.ndarray) -> tuple[np.ndarray | None, bool]:
        """A table computed on costs no higher than these on any entry, if one is kept, and
        whether it was computed on these very costs (another router's copy of them)."""
        for base, table in self._tables:
            if base is entry_cost or costs_at_least(entry_cost, base):
                return table, costs_at_least(base, entry_cost)
        return None, False

    def _keep(self, entry_cost: np.ndarray, table: np.ndarray) -> None:
        """Keep a new table, and drop the oldest past `MAX_BYTES` (everywhere: costs that
        used them fall back to the metre landmarks, or borrow again)."""
        self._tables.insert(0, (entry_cost, table))
        sizes = np.cumsum([kept.nbytes for _, kept in self._tables])
        keep = max(1, int(np.searchsorted(sizes, MAX_BYTES, side="right")))
        dropped = {id(kept) for _, kept in self._tables[keep:]}
        del self._tables[keep:]
        for key in [k for k, seen in self._seen.items() if id(seen.table) in dropped]:
            del self._seen[key]

    def _compute(self, entry_cost: np.ndarray) -> np.ndarray:
        indptr, target = self._csr
        with self._computing:
            if self._reverse is None:
                self._reverse = self._reverse_of()
                self._workspace = SearchWorkspace(indptr.shape[0] - 1)
            return cost_landmark_table(
                indptr,
                target,
                entry_cost,
                self._candidates,
                self._part_nodes,
                reverse=self._reverse,
                workspace=self._workspace,
            )

"""The overlay: live closures (barrier reports) as graph indices, the one value routing reads.

The report store (``stepfree.reports``) turns approved reports into ``Closure`` values: which
edges and nodes they touch, when they are valid, and what they do to each kind of person.
Routing never sees a database; it sees an ``Overlay``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from stepfree.profiles.model import Policy, Profile

#: Report types and their effect: (on wheeled profiles, on everyone else).
#: Wheeled profiles (wheelchairs, strollers, rollators) cannot get past what others can.
EFFECTS: dict[str, tuple[Policy, Policy]] = {
    "construction": (Policy.FORBID, Policy.FORBID),
    "flooding": (Policy.FORBID, Policy.FORBID),
    "elevator_out_of_service": (Policy.FORBID, Policy.AVOID),
    "snow_ice": (Policy.FORBID, Policy.AVOID),
    "kerb_raised": (Policy.FORBID, Policy.ALLOW),
    "steps": (Policy.FORBID, Policy.ALLOW),
    "obstacle": (Policy.FORBID, Policy.AVOID),
    "broken_surface": (Policy.AVOID, Policy.AVOID),
    "other": (Policy.AVOID, Policy.AVOID),
}
REPORT_TYPES = tuple(EFFECTS)


@dataclass(frozen=True)
class Closure:
    """One approved report, resolved onto the graph."""

    report_id: int
    kind: str  # one of REPORT_TYPES
    edges: np.ndarray  # int64 edge indices it affects (both directions)
    nodes: np.ndarray  # int64 node indices it affects
    valid_from: datetime | None = None  # aware datetimes (UTC); None = open
    valid_until: datetime | None = None

    def active(self, at: datetime) -> bool:
        """Whether the closure is valid at the aware time ``at``."""
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until

    def policy(self, profile: Profile) -> Policy:
        """What the closure does to this profile."""
        wheeled, others = EFFECTS.get(self.kind, EFFECTS["other"])
        return wheeled if profile.mobility.wheeled else others


@dataclass(frozen=True)
class Overlay:
    """All closures known now; ``version`` changes whenever the set changes (cache key)."""

    closures: tuple[Closure, ...] = ()
    version: str = "empty"
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def active(self, at: datetime) -> tuple[Closure, ...]:
        """Closures valid at ``at``."""
        return tuple(c for c in self.closures if c.active(at))


EMPTY = Overlay()

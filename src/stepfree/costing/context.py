"""The context of a trip: when it happens, whether it is winter then, and the live reports in
force (the overlay). Rules read it beside the profile; the router builds it."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stepfree.costing.overlay import EMPTY, Closure, Overlay


@dataclass(frozen=True)
class Context:
    """When and where the trip happens."""

    winter: bool = False
    at: datetime | None = None  # local time of travel, None = now
    overlay: Overlay = field(default=EMPTY)

    @functools.cached_property
    def at_text(self) -> str | None:
        """``at`` as ISO-8601 text, once (an answer writes it and keys caches by it)."""
        return self.at.isoformat() if self.at is not None else None

    def active_closures(self) -> tuple[Closure, ...]:
        """Reports valid at the time of travel (now when no time is given)."""
        if not self.overlay.closures:
            return ()
        at = self.at if self.at is not None else datetime.now(UTC)
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return self.overlay.active(at)

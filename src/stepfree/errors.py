"""Domain errors.

Each subclasses the nearest builtin so that callers may catch either. The CLI (and later the
API) maps them to exit codes and HTTP statuses in one place. Every message names the problem
and what to do about it, in one line.
"""

from __future__ import annotations

from stepfree.answers import IsochroneRefusal


class StepfreeError(Exception):
    """Base of every error stepfree raises on purpose."""


class BadInput(StepfreeError, ValueError):
    """The user gave something we cannot use (a missing file, a malformed option)."""


class BadData(StepfreeError, ValueError):
    """An input file exists but its content is unusable (corrupt, empty, out of area)."""


class GraphFormatError(StepfreeError, ValueError):
    """A graph file is corrupt, truncated or of another format version."""


class NoUsableWay(StepfreeError, LookupError):
    """No way the profile may use lies within its reach of a point (not bad input: the map or
    the profile blocks it).

    ``limit_m`` is how far the profile may go across unmapped ground (``max_access_m``);
    ``nearest_m`` how far the nearest usable way is (None: none within ``searched_m``);
    ``blocked`` the nearer ways the profile may not use, as ``(edge, distance_m)``;
    ``explanation`` the refusal in words (``blocked_by``, ``relax``...), once an isochrone has
    explained it.
    """

    def __init__(
        self,
        role: str,
        nearest_m: float | None,
        limit_m: float,
        blocked: tuple[tuple[int, float], ...] = (),
        searched_m: float = 5000.0,
    ) -> None:
        self.role = role
        self.nearest_m = nearest_m
        self.limit_m = limit_m
        self.blocked = blocked
        self.explanation: IsochroneRefusal | None = None
        where = (
            f"the nearest is {nearest_m:,.0f} m away"
            if nearest_m is not None
            else f"there is none within {searched_m / 1000:.0f} km"
        )
        super().__init__(
            f"no way this profile can use within {limit_m:,.0f} m of the {role} "
            f"(max_access_m); {where}"
        )


class NotFound(StepfreeError, LookupError):
    """No report (or key) with that id."""


class Conflict(StepfreeError):
    """The request is valid but the report's state forbids it (e.g. approving a rejected one)."""

"""Limits that protect the service from requests that would exhaust it.

Each check raises `LimitExceeded` (422) naming the limit and its value, so a client knows what
to change. Routing work runs in a worker thread under the request's time budget: past it the
client gets 503 with Retry-After at once (the thread finishes on its own; it never hangs the
event loop).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from stepfree.api.errors import LimitExceeded, Overloaded
from stepfree.api.settings import Settings
from stepfree.errors import BadInput

T = TypeVar("T")

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), m


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two ``(lat, lon)`` points in km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))) / 1000


def check_route_distance(
    origin: tuple[float, float], destination: tuple[float, float], settings: Settings
) -> None:
    """Refuse a route whose ends are further apart than ``max_route_km``."""
    km = great_circle_km(origin, destination)
    if km > settings.max_route_km:
        raise LimitExceeded(
            f"from and to are {km:,.1f} km apart in a straight line; the limit max_route_km "
            f"is {settings.max_route_km:g} km: ask for a shorter route"
        )


def parse_minutes(text: str, settings: Settings) -> list[float]:
    """``5,10,15`` -> ``[5.0, 10.0, 15.0]``, within the isochrone limits."""
    try:
        minutes = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise BadInput(
            f"minutes {text!r} is not a list of numbers; for example minutes=5,10,15"
        ) from None
    if not minutes:
        raise BadInput("minutes is empty; give one or more numbers, for example minutes=5,10,15")
    if len(minutes) > settings.max_isochrone_thresholds:
        raise LimitExceeded(
            f"{len(minutes)} isochrone bands asked; the limit max_isochrone_thresholds is "
            f"{settings.max_isochrone_thresholds}"
        )
    for value in minutes:
        if not math.isfinite(value) or value <= 0:
            raise BadInput(f"minutes {value:g} is not a positive number of minutes")
        if value > settings.max_isochrone_minutes:
            raise LimitExceeded(
                f"an isochrone of {value:g} minutes asked; the limit max_isochrone_minutes is "
                f"{settings.max_isochrone_minutes:g}"
            )
    return minutes


def parse_bbox(text: str, settings: Settings) -> tuple[float, float, float, float]:
    """``W,S,E,N`` in degrees, ordered, within ``max_bbox_km2``."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError:
        raise BadInput(
            f"bbox {text!r} is not W,S,E,N; give four numbers in degrees, for example "
            "bbox=24.93,60.16,24.95,60.17"
        ) from None
    if not all(math.isfinite(v) for v in (west, south, east, north)) or not (
        -180 <= west < east <= 180 and -90 <= south < north <= 90
    ):
        raise BadInput(
            f"bbox {text!r} is not W,S,E,N with west < east in -180..180 and south < north "
            "in -90..90"
        )
    mid_lat = math.radians((south + north) / 2)
    km_per_deg = 2 * math.pi * EARTH_RADIUS_M / 360 / 1000
    area = (east - west) * km_per_deg * math.cos(mid_lat) * (north - south) * km_per_deg
    if area > settings.max_bbox_km2:
        raise LimitExceeded(
            f"bbox covers {area:,.1f} km^2; the limit max_bbox_km2 is "
            f"{settings.max_bbox_km2:g} km^2: ask for a smaller box"
        )
    return west, south, east, north


def check_page_size(limit: int, settings: Settings) -> int:
    """A listing page size within ``1..max_page_size``."""
    if limit > settings.max_page_size:
        raise LimitExceeded(
            f"limit={limit} asked; the limit max_page_size is {settings.max_page_size}: page "
            "with offset"
        )
    return limit


async def within_budget(work: Callable[[], T], settings: Settings) -> T:
    """Run blocking ``work`` in a thread; 503 when it overruns ``request_budget_s``.

    The abandoned thread runs to its end and frees what it holds (its router); only the
    client's wait is cut.
    """
    with anyio.move_on_after(settings.request_budget_s):
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    raise Overloaded(
        f"the request took longer than its budget of {settings.request_budget_s:g} s "
        "(request_budget_s); try again, or ask for a shorter route",
        retry_after_s=max(1, math.ceil(settings.request_budget_s)),
    )

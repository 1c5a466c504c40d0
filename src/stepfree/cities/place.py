"""Where a graph lies, for the clock and the calendar: its time zone and its winter months.

A graph inside a city preset's bbox takes both from the preset. Anywhere else:

- the time zone is the IANA zone at the graph's centre, from the time zone boundaries of
  OpenStreetMap (the `tzfpy` package, offline; its first look-up loads ~30 MB of polygons in
  about a second, so it is done once per process and only for graphs outside the presets);
- the winter months follow the latitude and the hemisphere (`winter_months_at`): a coarse rule
  that says which rule it is, so an answer never claims a city's climate it does not know. A
  city whose winters the rule gets wrong (Astana's are longer than its latitude says) gets a
  preset.

An answer says which (``season.decided_by``), so "winter: false" for Moscow in January can
no longer happen silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from stepfree.cities import city, city_names

#: Months with lying snow by absolute latitude (degrees), northern hemisphere; the southern
#: hemisphere is six months on. A coarse rule of this project, by latitude alone, not a
#: climatology: lowland snow lies from about December to February at 45-50 degrees (Montreal,
#: Milan, Minneapolis), to March at 50-60 (Moscow, 55.8 N: late November to early April), from
#: November to April beyond 60; below 45 degrees it does not lie for a season (Porto, Rome,
#: Madrid). Sea coasts have shorter winters and
#: continental interiors longer ones than this says (Helsinki's preset: December-March at
#: 60.2 N; Astana's: November-April at 51.1 N): that is what city presets are for.
WINTER_BY_LATITUDE: tuple[tuple[float, tuple[int, ...]], ...] = (
    (60.0, (11, 12, 1, 2, 3, 4)),
    (50.0, (12, 1, 2, 3)),
    (45.0, (12, 1, 2)),
)


@dataclass(frozen=True)
class Place:
    """The time zone and winter months of where a graph lies, and where each comes from."""

    time_zone: str  # IANA name, e.g. "Asia/Almaty"
    winter_months: tuple[int, ...]  # 1..12; empty where snow does not lie for a season
    decided_by: str  # "city:astana", or "latitude 55.8 N" (with the time zone database)
    city: str | None  # the preset's key, if the graph lies in one


def winter_months_at(lat: float) -> tuple[int, ...]:
    """Winter months by latitude and hemisphere (see `WINTER_BY_LATITUDE`)."""
    for from_deg, months in WINTER_BY_LATITUDE:
        if abs(lat) >= from_deg:
            return months if lat >= 0 else tuple((m + 5) % 12 + 1 for m in months)
    return ()


def preset_at(lon: float, lat: float) -> str | None:
    """The key of the city preset whose bbox holds the point, if any."""
    for key in city_names():
        west, south, east, north = city(key).bbox
        if west <= lon <= east and south <= lat <= north:
            return key
    return None


def place_at(lon: float, lat: float) -> Place:
    """The `Place` of a graph whose centre is ``(lon, lat)`` in degrees."""
    key = preset_at(lon, lat)
    if key is not None:
        preset = city(key)
        return Place(preset.timezone, tuple(preset.winter_months), f"city:{key}", key)
    import tzfpy  # only outside the presets: its data takes a second to load

    zone = tzfpy.get_tz(lon, lat) or "UTC"  # "" over some oceans: no graph lies there
    hemisphere = "N" if lat >= 0 else "S"
    return Place(zone, winter_months_at(lat), f"latitude {abs(lat):.1f} {hemisphere}", None)

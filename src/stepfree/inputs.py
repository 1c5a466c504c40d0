"""Points given by people: one parser of ``LAT,LON`` and one check of a coordinate, for the CLI,
the library and the API alike (times are `stepfree.times`; profile settings
`stepfree.profiles.overrides`)."""

from __future__ import annotations

import math

from stepfree.errors import BadInput


def check_coordinates(lat: float, lon: float, role: str) -> None:
    """Latitude and longitude in range, or BadInput naming which."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise BadInput(
            f"the {role} {lat},{lon} is not a coordinate: give LAT,LON in degrees "
            "(latitude -90..90, longitude -180..180)"
        )


def parse_point(text: str, role: str) -> tuple[float, float]:
    """Parse ``LAT,LON``."""
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise BadInput(
            f"the {role} {text!r} is not LAT,LON; give two numbers in degrees, for "
            "example 51.1283,71.4304"
        ) from None
    check_coordinates(lat, lon, role)
    return lat, lon

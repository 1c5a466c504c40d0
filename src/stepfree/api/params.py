"""Query parameters shared by the routing endpoints: points, times, and profile parameters.

Any profile parameter may be given by name (``max_kerb_height_m=0.04``). They are documented in
OpenAPI from the profile model itself and validated by the same model as the CLI's ``--set``
(``profile_from_request``), so the message for an out-of-range value is the CLI's.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from stepfree.inputs import parse_point
from stepfree.profiles.model import FACETS
from stepfree.times import parse_time

#: Time-of-travel help shared by the endpoints.
AT_HELP = (
    "time of travel, ISO-8601 (2026-01-15T08:30 is the city's local time; add an offset such as "
    "+05:00 otherwise); it selects opening hours, winter and the reports valid then"
)


#: The profile's facets (mobility, guidance, preferences) as model classes.
_FACETS = FACETS


@cache
def profile_query_docs() -> tuple[dict[str, Any], ...]:
    """OpenAPI query parameter objects for every profile parameter."""
    out = []
    for facet_name, facet in _FACETS.items():
        schema = facet.model_json_schema()
        defs = schema.get("$defs", {})
        for name, spec in schema["properties"].items():
            if "$ref" in spec:
                spec = {**defs[spec["$ref"].rsplit("/", 1)[-1]], **spec}
                spec.pop("$ref")
            spec = {k: v for k, v in spec.items() if k in {"type", "minimum", "maximum", "enum"}}
            meaning = facet.model_fields[name].description or ""
            out.append(
                {
                    "name": name,
                    "in": "query",
                    "required": False,
                    "schema": spec,
                    "description": f"{facet_name}: {meaning} (default: the profile's value)",
                }
            )
    return tuple(out)


def point(text: str, role: str) -> tuple[float, float]:
    """``LAT,LON`` -> ``(lat, lon)``, or BadInput naming the parameter."""
    return parse_point(text, role)


def parse_at(text: str | None) -> datetime | None:
    """The ``at`` parameter as a datetime (naive: the city's local time, which the router
    applies: `stepfree.times`)."""
    return None if text is None else parse_time(text, "at")

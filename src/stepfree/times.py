"""Times given by people: one parser, one range, one meaning of a time without an offset.

A time without an offset (``2026-01-15T08:30``) is the local time of the city being served or
routed: the same in every endpoint and command that has a city. Where there is none (the key
and audit commands work on the report store alone) a time must carry its offset.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from stepfree.errors import BadInput

#: Times accepted (far outside, time zone arithmetic overflows; nobody plans that).
FIRST_YEAR, LAST_YEAR = 1900, 2200
EXAMPLE = "2026-01-15T08:30 or 2026-01-15T08:30+05:00"


def parse_time(text: str, name: str) -> datetime:
    """ISO-8601 text as a datetime, naive when it has no offset; BadInput naming ``name``."""
    try:
        when = datetime.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise BadInput(f"{name} {text!r} is not an ISO-8601 time; for example {EXAMPLE}") from None
    if not FIRST_YEAR <= when.year <= LAST_YEAR:
        raise BadInput(
            f"{name} {text!r} is out of range: give a time from {FIRST_YEAR} to {LAST_YEAR}"
        )
    return when


def in_zone(moment: datetime, zone: tzinfo | None, name: str) -> datetime:
    """An aware datetime: a naive one is the local time of ``zone``.

    Raises
    ------
    BadInput
        A naive time where there is no city to read it in (``zone`` None).
    """
    if moment.tzinfo is not None:
        return moment
    if zone is None:
        raise BadInput(
            f"{name} {moment.isoformat()} has no offset, and there is no city whose local time "
            "it could be; add one, for example 2027-01-01T00:00+05:00 or 2027-01-01T00:00Z"
        )
    return moment.replace(tzinfo=zone)


def local_time(text: str | None, zone: tzinfo | None, name: str) -> datetime | None:
    """`parse_time` then `in_zone`: the one reading of a time a person types."""
    if text is None:
        return None
    return in_zone(parse_time(text, name), zone, name)

"""Evaluate the common subset of OSM ``opening_hours`` (elevators, entrances, report windows).

Supported: ``24/7``; rules separated by ``;`` of the form ``[days] [times|off|closed]`` where
days are ``Mo-Fr``, ``Sa,Su``, ``Mo-Su`` lists and ranges and times are ``HH:MM-HH:MM`` lists
(past midnight allowed, ``24:00`` allowed). Later rules override earlier ones for the days
they name, as in the specification. Anything else (public holidays, months, sunrise...) is not
guessed: :func:`is_open` returns ``None`` (unknown) and the caller warns.
"""

from __future__ import annotations

import re
from datetime import datetime

DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_TIME = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DAYS = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(-(Mo|Tu|We|Th|Fr|Sa|Su))?$")


def _days(text: str) -> set[int] | None:
    days: set[int] = set()
    for part in text.split(","):
        match = _DAYS.match(part.strip())
        if not match:
            return None
        start = DAYS.index(match[1])
        stop = DAYS.index(match[3]) if match[3] else start
        day = start
        while True:
            days.add(day)
            if day == stop:
                break
            day = (day + 1) % 7
    return days


def _spans(text: str) -> list[tuple[int, int]] | None:
    """Minute spans from a comma list of HH:MM-HH:MM; None when unreadable."""
    spans = []
    for part in text.split(","):
        match = _TIME.match(part.strip())
        if not match:
            return None
        start = int(match[1]) * 60 + int(match[2])
        stop = int(match[3]) * 60 + int(match[4])
        if start > 24 * 60 or stop > 48 * 60 or int(match[2]) >= 60 or int(match[4]) >= 60:
            return None
        spans.append((start, stop if stop > start else stop + 24 * 60))
    return spans


def _parse(text: str) -> dict[int, list[tuple[int, int]]] | None:
    """Opening spans (minutes from the day's midnight) per weekday, or None when unsupported."""
    text = text.strip()
    if text == "24/7":
        return {day: [(0, 24 * 60)] for day in range(7)}
    week: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    for rule in filter(None, (r.strip() for r in text.split(";"))):
        head, _, rest = rule.partition(" ")
        days = _days(head)
        body = rest.strip() if days is not None else rule
        if days is None:
            days = set(range(7))
        if body in {"off", "closed"}:
            spans: list[tuple[int, int]] | None = []
        elif body in {"", "24/7", "00:00-24:00"}:
            spans = [(0, 24 * 60)]
        else:
            spans = _spans(body)
        if spans is None:
            return None
        for day in days:
            week[day] = list(spans)
    return week


def is_open(text: str, at: datetime) -> bool | None:
    """Whether ``opening_hours`` text says open at local time ``at``; None when unknown."""
    week = _parse(text)
    if week is None:
        return None
    minute = at.hour * 60 + at.minute
    today, yesterday = at.weekday(), (at.weekday() - 1) % 7
    if any(start <= minute < stop for start, stop in week[today]):
        return True
    # a span of yesterday that runs past midnight
    return any(start <= minute + 24 * 60 < stop for start, stop in week[yesterday])

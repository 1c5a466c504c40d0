"""Winter and time for any city (issue 10, item 3).

``winter=auto`` was silently off outside the city presets (a Moscow graph in January answered
``"winter": false``). The season now follows where the graph lies: a preset's winter months,
else a rule by latitude and hemisphere, and the answer says which. The time used is echoed with
its offset, also when none was given, and a naive time is the city's local time.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import stepfree
from stepfree.cities.place import place_at, winter_months_at

from worlds import World

SKETCH = """
a-----b
"""
MOSCOW = (37.6176, 55.7558)  # lon, lat: Red Square; no city preset covers it
PORTO = (-8.6110, 41.1496)
UNSERVICED = {"highway": "footway", "winter_service": "no", "surface": "asphalt"}


def _answer(origin: tuple[float, float], tmp_path: Path, **extra: object) -> dict:
    world = World(SKETCH, ways={"ab": UNSERVICED}, origin=origin)
    graph = world.graph(tmp_path)
    a, b = world.positions()["a"], world.positions()["b"]
    return stepfree.route((a[1], a[0]), (b[1], b[0]), graph=graph, **extra)  # type: ignore[arg-type]


def test_a_moscow_graph_in_january_is_winter_by_latitude(tmp_path: Path) -> None:
    answer = _answer(MOSCOW, tmp_path, at="2027-01-15T08:30", profile="manual_wheelchair")
    assert answer["winter"] is True
    assert answer["season"]["decided_by"] == "latitude 55.8 N"
    assert answer["season"]["time_zone"] == "Europe/Moscow"
    # the naive time is Moscow's local time, echoed with its offset
    assert answer["at"] == "2027-01-15T08:30:00+03:00"
    # and winter changes the route: the wheelchair preset forbids unserviced ways in winter
    assert answer["route"] is None


def test_july_in_moscow_is_not_winter(tmp_path: Path) -> None:
    answer = _answer(MOSCOW, tmp_path, at="2027-07-15T08:30", profile="manual_wheelchair")
    assert answer["winter"] is False
    assert answer["route"] is not None


def test_a_preset_city_says_so_and_the_setting_wins(tmp_path: Path) -> None:
    astana = (71.4460, 51.1280)
    answer = _answer(astana, tmp_path, at="2027-11-20T12:00")
    assert answer["winter"] is True  # Astana's preset: November to April
    assert answer["season"]["decided_by"] == "city:astana"
    assert answer["at"] == "2027-11-20T12:00:00+05:00"
    forced = _answer(astana, tmp_path, at="2027-11-20T12:00", overrides={"winter": "no"})
    assert forced["winter"] is False
    assert forced["season"]["decided_by"] == "winter=no"


def test_no_time_given_echoes_now_with_its_offset(tmp_path: Path) -> None:
    before = datetime.now().astimezone()
    answer = _answer(PORTO, tmp_path)
    used = datetime.fromisoformat(answer["at"])
    assert used.utcoffset() is not None
    assert abs((used - before).total_seconds()) < 60
    assert answer["season"]["time_zone"] == "Europe/Lisbon"
    assert answer["provenance"]["at"] == answer["at"]


def test_the_southern_hemisphere_winter_is_six_months_on() -> None:
    assert winter_months_at(55.8) == (12, 1, 2, 3)
    assert winter_months_at(-55.8) == (6, 7, 8, 9)
    assert winter_months_at(41.1) == ()  # Porto: no snow season
    assert winter_months_at(64.1) == (11, 12, 1, 2, 3, 4)


@pytest.mark.parametrize(
    ("lon", "lat", "zone"),
    [
        (37.62, 55.76, "Europe/Moscow"),
        (-76.61, 39.29, "America/New_York"),
        (1.52, 42.51, "Europe/Andorra"),
    ],
)
def test_the_time_zone_of_a_graph_outside_the_presets(lon: float, lat: float, zone: str) -> None:
    place = place_at(lon, lat)
    assert place.time_zone == zone
    assert place.city is None

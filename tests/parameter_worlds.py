"""The tiny worlds of the profile parameter tests, one per parameter (shared with the golden
answers of ``routing/test_golden.py``).

The world has a short way s-x-t with one feature (on the way or at node x) and a clean detour
s-p-q-t, 140 m against 60 m. Each case gives the value of a parameter for which the route takes
the short way and the value for which it takes the detour.
"""

from __future__ import annotations

from worlds import World

SKETCH = """
   u
s--x--t
|     |
p-----q
"""
CLEAN = {
    "highway": "footway",
    "surface": "asphalt",
    "smoothness": "good",
    "width": "2",
    "incline": "0",
    "lit": "yes",
    "winter_service": "yes",
    "wheelchair": "yes",
}
ROAD = {"highway": "primary", "sidewalk": "separate", "lanes": "4"}

#: parameter -> (base profile, short-way tags, x node tags, value taking the short way,
#: value taking the detour, other overrides)
CASES: dict[str, tuple[str, dict[str, str], dict[str, str], str, str, dict[str, str]]] = {
    "max_kerb_height_m": (
        "pedestrian",
        {},
        {"barrier": "kerb", "kerb": "raised", "kerb:height": "0.06"},
        "0.1",
        "0.04",
        {},
    ),
    "max_incline_up_pct": ("pedestrian", {"incline": "10%"}, {}, "12", "8", {}),
    "max_incline_down_pct": ("pedestrian", {"incline": "-10%"}, {}, "12", "8", {}),
    "min_width_m": ("pedestrian", {"width": "0.8"}, {}, "0.5", "0.9", {}),
    "max_step_count": ("pedestrian", {"highway": "steps", "step_count": "5"}, {}, "10", "3", {}),
    "unknown_step_count": (
        "pedestrian",
        {"highway": "steps"},
        {},
        "allow",
        "forbid",
        {"max_step_count": "10"},
    ),
    "wheeled": ("pedestrian", {}, {"barrier": "turnstile"}, "false", "true", {}),
    "respect_wheelchair_tag": ("pedestrian", {"wheelchair": "no"}, {}, "false", "true", {}),
    "stroller_ramps": (
        "pedestrian",
        {"highway": "steps", "ramp:stroller": "yes", "wheelchair": None},
        {},
        "true",
        "false",
        {"max_step_count": "0", "wheeled": "true"},
    ),
    "max_surface": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "unpaved_soft",
        "compacted",
        {"rough_policy": "forbid"},
    ),
    "max_smoothness": (
        "pedestrian",
        {"smoothness": "bad"},
        {},
        "impassable",
        "intermediate",
        {"rough_policy": "forbid"},
    ),
    "rough_policy": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "allow",
        "forbid",
        {"max_surface": "compacted"},
    ),
    "major_road_without_sidewalk": (
        "pedestrian",
        {"highway": "primary", "sidewalk": "no"},
        {},
        "allow",
        "forbid",
        {},
    ),
    "winter_unserviced": (
        "pedestrian",
        {"winter_service": "no"},
        {},
        "allow",
        "forbid",
        {"winter": "yes"},
    ),
    "winter": (
        "pedestrian",
        {"winter_service": "no"},
        {},
        "no",
        "yes",
        {"winter_unserviced": "forbid"},
    ),
    "unknown_kerb": (
        "pedestrian",
        {},
        {"barrier": "kerb"},
        "allow",
        "forbid",
        {"max_kerb_height_m": "0.03"},
    ),
    "unknown_incline": (
        "pedestrian",
        {"incline": None},
        {},
        "allow",
        "forbid",
        {"max_incline_up_pct": "8"},
    ),
    "unknown_width": ("pedestrian", {"width": None}, {}, "allow", "forbid", {"min_width_m": "0.9"}),
    "unknown_surface": (
        "pedestrian",
        {"surface": None},
        {},
        "allow",
        "forbid",
        {"max_surface": "compacted"},
    ),
    "avoid_factor": (
        "pedestrian",
        {"surface": "gravel"},
        {},
        "1.5",
        "2.5",
        {"max_surface": "compacted", "rough_policy": "avoid"},
    ),
    "avoid_node_detour_m": (
        "pedestrian",
        {},
        {"barrier": "kerb"},
        "10",
        "150",
        {"max_kerb_height_m": "0.03", "unknown_kerb": "avoid"},
    ),
    "crossing_detour_m": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "unmarked"},
        "0",
        "300",
        {},
    ),
    "busy_road_min_lanes": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "unmarked"},
        "5",
        "4",
        {"crossing_detour_m": "300"},
    ),  # on a tertiary road
    "prefer_audible_signals": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "traffic_signals", "traffic_signals:sound": "no"},
        "false",
        "true",
        {"speed_m_s": "0.5"},
    ),  # outweigh the wait
    "prefer_tactile_paving": (
        "pedestrian",
        {},
        {"highway": "crossing", "crossing": "marked", "tactile_paving": "no"},
        "false",
        "true",
        {},
    ),
    "avoid_unlit": ("pedestrian", {"lit": "no"}, {}, "false", "true", {"unlit_factor": "3"}),
    "unlit_factor": ("pedestrian", {"lit": "no"}, {}, "1.2", "3", {"avoid_unlit": "true"}),
}
#: Parameters that change the answer without changing the way taken.
OTHER_EFFECTS = {"speed_m_s", "announce", "max_access_m"}  # max_access_m: test_access.py


def _world(
    way_tags: dict[str, str | None], node_tags: dict[str, str], road: dict[str, str] = ROAD
) -> World:
    short = {k: v for k, v in {**CLEAN, **way_tags}.items() if v is not None}
    return World(
        SKETCH,
        ways={"sxt": short, "spqt": dict(CLEAN), "xu": dict(road)},
        nodes={"x": node_tags} if node_tags else {},
    )

"""Count tag shares in real OSM extracts, for the synthetic city generator's constants.

Run with the project's virtualenv (it needs only pyosmium)::

    .venv/bin/python benchmarks/measure_tags.py [FILE.osm.pbf ...]

With no file it reads every ``../shared/data/osm/*.osm.pbf`` beside the repository. It prints
one Markdown table: for each group (a population such as "road ways" or "kerb nodes"), the
count of each value and its share of the group, pooled over all files, plus in how many files
the value occurs. ``synth_tags.py`` cites this output for every proportion it uses.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import osmium

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO.parent / "shared" / "data" / "osm"

ROADS = (
    "primary",
    "secondary",
    "tertiary",
    "residential",
    "unclassified",
    "living_street",
    "service",
)
FOOT = ("footway", "path", "pedestrian")
POI_AMENITIES = (
    "clinic",
    "pharmacy",
    "school",
    "doctors",
    "hospital",
    "cafe",
    "restaurant",
    "bank",
    "post_office",
    "toilets",
)
POINT_BARRIERS = (
    "bollard",
    "gate",
    "lift_gate",
    "cycle_barrier",
    "block",
    "turnstile",
    "kissing_gate",
    "stile",
    "entrance",
)


def _bucket(value: str | None, known: Iterable[str]) -> str:
    """The value itself when it is one we model, else ``other``; ``(none)`` when absent."""
    if value is None:
        return "(none)"
    return value if value in known else "other"


def _sidewalk(tags: dict[str, str]) -> str:
    """One word for a road's sidewalk tagging (plain key first, then the side keys)."""
    if "sidewalk" in tags:
        return _bucket(tags["sidewalk"], ("both", "left", "right", "no", "separate", "yes"))
    sides = {tags.get(f"sidewalk:{side}") for side in ("both", "left", "right")} - {None}
    if not sides:
        return "(none)"
    if "separate" in sides:
        return "separate (side keys)"
    return "side keys"


class Tally:
    """Counters per group; ``add(group, value)`` and the group size are all it keeps."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.files: dict[tuple[str, str], set[str]] = {}

    def add(self, group: str, value: str, source: str) -> None:
        self.counts.setdefault(group, Counter())[value] += 1
        self.files.setdefault((group, value), set()).add(source)


def _way(tags: dict[str, str], tally: Tally, source: str) -> None:
    highway = tags.get("highway")
    if highway is None:
        return
    tally.add("highway ways: class", _bucket(highway, (*ROADS, *FOOT, "steps", "cycleway")), source)
    if highway in ROADS:
        tally.add(f"road ways ({highway}): sidewalk", _sidewalk(tags), source)
        tally.add("road ways: sidewalk", _sidewalk(tags), source)
        tally.add("road ways: lit", _bucket(tags.get("lit"), ("yes", "no")), source)
        tally.add(
            "road ways: surface",
            _bucket(
                tags.get("surface"), ("asphalt", "paving_stones", "sett", "concrete", "compacted")
            ),
            source,
        )
    if highway == "service":
        tally.add(
            "service ways: service",
            _bucket(tags.get("service"), ("parking_aisle", "alley", "driveway")),
            source,
        )
    if highway in FOOT:
        tally.add(
            "footways: footway=*",
            _bucket(tags.get("footway"), ("sidewalk", "crossing", "access_aisle")),
            source,
        )
        tally.add(
            "footways: surface",
            _bucket(
                tags.get("surface"),
                ("asphalt", "paving_stones", "concrete", "sett", "compacted", "gravel", "ground"),
            ),
            source,
        )
        tally.add(
            "footways: smoothness",
            _bucket(tags.get("smoothness"), ("excellent", "good", "intermediate", "bad")),
            source,
        )
        tally.add("footways: width", "(none)" if "width" not in tags else "present", source)
        tally.add("footways: lit", _bucket(tags.get("lit"), ("yes", "no")), source)
        tally.add(
            "footways: incline",
            "(none)"
            if "incline" not in tags
            else "up/down"
            if tags["incline"] in ("up", "down")
            else "value",
            source,
        )
        tally.add(
            "footways: wheelchair",
            _bucket(tags.get("wheelchair"), ("yes", "limited", "no")),
            source,
        )
    if tags.get("footway") == "crossing":
        tally.add(
            "crossing ways: crossing",
            _bucket(
                tags.get("crossing"),
                ("traffic_signals", "marked", "unmarked", "uncontrolled", "zebra"),
            ),
            source,
        )
    if highway == "steps":
        tally.add(
            "steps: ramp:wheelchair", _bucket(tags.get("ramp:wheelchair"), ("yes", "no")), source
        )
        tally.add("steps: ramp", _bucket(tags.get("ramp"), ("yes", "no")), source)
        tally.add("steps: handrail", _bucket(tags.get("handrail"), ("yes", "no")), source)
        tally.add("steps: step_count", "(none)" if "step_count" not in tags else "present", source)
        tally.add("steps: incline", _bucket(tags.get("incline"), ("up", "down")), source)


def _node(tags: dict[str, str], tally: Tally, source: str) -> None:
    highway, barrier = tags.get("highway"), tags.get("barrier")
    if highway == "crossing":
        tally.add(
            "crossing nodes: crossing",
            _bucket(
                tags.get("crossing"),
                ("traffic_signals", "marked", "unmarked", "uncontrolled", "zebra"),
            ),
            source,
        )
        tally.add(
            "crossing nodes: tactile_paving",
            _bucket(tags.get("tactile_paving"), ("yes", "no")),
            source,
        )
        if tags.get("crossing") == "traffic_signals":
            tally.add(
                "signalled crossings: traffic_signals:sound",
                _bucket(tags.get("traffic_signals:sound"), ("yes", "no")),
                source,
            )
    if barrier == "kerb" or "kerb" in tags:
        tally.add(
            "kerb nodes: kerb",
            _bucket(tags.get("kerb"), ("raised", "lowered", "flush", "rolled", "no")),
            source,
        )
        tally.add(
            "kerb nodes: kerb:height", "(none)" if "kerb:height" not in tags else "present", source
        )
        tally.add(
            "kerb nodes: tactile_paving", _bucket(tags.get("tactile_paving"), ("yes", "no")), source
        )
    if barrier is not None and barrier != "kerb":
        tally.add("point barriers: barrier", _bucket(barrier, POINT_BARRIERS), source)
    if highway == "elevator":
        tally.add(
            "elevator nodes: wheelchair",
            _bucket(tags.get("wheelchair"), ("yes", "limited", "no")),
            source,
        )
    poi = (
        (tags.get("amenity") in POI_AMENITIES and "amenity")
        or ("shop" in tags and "shop")
        or (highway == "bus_stop" and "bus_stop")
    )
    if poi:
        tally.add("POIs: kind", poi if poi != "amenity" else f"amenity={tags['amenity']}", source)
        tally.add(
            "POIs: wheelchair", _bucket(tags.get("wheelchair"), ("yes", "limited", "no")), source
        )


def measure(paths: list[Path]) -> Tally:
    """Tally the tag groups of every file."""
    tally = Tally()
    for path in paths:
        source = path.name
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_filter(
            osmium.filter.EmptyTagFilter()
        )
        for obj in processor:
            tags = dict(obj.tags)
            if obj.is_node():
                tally.add("tagged nodes", "all", source)
                _node(tags, tally, source)
            else:
                tally.add("ways", "all", source)
                _way(tags, tally, source)
    return tally


def table(tally: Tally, n_files: int) -> str:
    """The Markdown table of every group, values by falling count."""
    lines = ["| group | value | count | share | files |", "|---|---|---:|---:|---:|"]
    for group in sorted(tally.counts):
        counter = tally.counts[group]
        total = sum(counter.values())
        for value, count in counter.most_common():
            seen = len(tally.files[(group, value)])
            lines.append(
                f"| {group} | {value} | {count:,} | {count / total:.3f} | {seen}/{n_files} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="extracts (default: shared data)")
    args = parser.parse_args(argv)
    paths = args.files or sorted(DEFAULT_DIR.glob("*.osm.pbf"))
    if not paths:
        print(f"measure_tags: no .osm.pbf given and none in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"measure_tags: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"Tag shares pooled over {len(paths)} extracts: {', '.join(p.name for p in paths)}\n")
    print(table(measure(paths), len(paths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Smoke tests of the benchmark harness and the synthetic city generator (no peers, seconds).

The harness lives in ``benchmarks/`` (scripts, not a package), so its modules are imported
with that folder on ``sys.path`` and its commands are run as the user runs them.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import numpy as np
import osmium
import pytest

import stepfree
from stepfree.attributes import Crossing, Highway, Kerb

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    """The harness modules, imported from ``benchmarks/``."""
    sys.path.insert(0, str(BENCH))
    try:
        import benchlib
        import synth

        yield {"synth": synth, "benchlib": benchlib}
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def small_city(bench: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "small.osm.pbf"
    bench["synth"].write_city(path, 1_000, seed=7)
    return path


@pytest.fixture(scope="module")
def city_5e4(bench: dict[str, ModuleType], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("city") / "city.osm.pbf"
    bench["synth"].write_city(path, 50_000, seed=1)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tags(path: Path) -> tuple[Counter[str], Counter[str]]:
    """Counts of ``key=value`` and of keys, nodes and ways together."""
    pairs: Counter[str] = Counter()
    keys: Counter[str] = Counter()
    for obj in osmium.FileProcessor(str(path)).with_filter(osmium.filter.EmptyTagFilter()):
        tags = dict(obj.tags)
        keys.update(tags.keys())
        pairs.update(f"{k}={v}" for k, v in tags.items())
        if tags.get("barrier") == "kerb" and "kerb" not in tags:
            pairs["kerb unknown"] += 1
    return pairs, keys


def test_same_seed_gives_the_same_bytes(bench, small_city, tmp_path):
    again = tmp_path / "again.osm.pbf"
    other = tmp_path / "other.osm.pbf"
    bench["synth"].write_city(again, 1_000, seed=7)
    bench["synth"].write_city(other, 1_000, seed=8)
    assert _sha(again) == _sha(small_city)
    assert _sha(other) != _sha(small_city)


def test_city_reads_with_pyosmium_nodes_then_ways_sorted(small_city):
    kinds, last_id, node_ids, missing = [], {"n": 0, "w": 0}, set(), 0
    for obj in osmium.FileProcessor(str(small_city)):
        kind = obj.type_str()
        if not kinds or kinds[-1] != kind:
            kinds.append(kind)
        assert obj.id > last_id[kind]
        last_id[kind] = obj.id
        if kind == "n":
            node_ids.add(obj.id)
        else:
            missing += sum(ref.ref not in node_ids for ref in obj.nodes)
    assert kinds == ["n", "w"]
    assert missing == 0
    assert 850 <= len(node_ids) <= 1_150  # "about 1,000": within one row of blocks


def test_city_has_every_promised_tag_kind(city_5e4):
    pairs, keys = _tags(city_5e4)
    promised = [
        *(f"highway={v}" for v in ("primary", "secondary", "tertiary", "residential",
                                   "service", "living_street", "footway", "steps",
                                   "crossing", "elevator", "bus_stop")),
        *(f"sidewalk={v}" for v in ("both", "left", "right", "no", "separate")),
        "footway=sidewalk", "footway=crossing",
        *(f"crossing={v}" for v in ("traffic_signals", "marked", "unmarked")),
        "traffic_signals:sound=yes", "tactile_paving=yes",
        "barrier=kerb", *(f"kerb={v}" for v in ("raised", "lowered", "flush", "rolled")),
        "kerb unknown", "ramp:wheelchair=yes", "ramp:wheelchair=no",
        "barrier=bollard", "barrier=gate",
        *(f"amenity={v}" for v in ("clinic", "pharmacy", "school")),
        *(f"wheelchair={v}" for v in ("yes", "limited", "no")),
    ]  # fmt: skip
    assert [p for p in promised if pairs[p] == 0] == []
    expected_keys = ["kerb:height", "incline", "surface", "smoothness", "width", "lit", "shop"]
    assert [k for k in expected_keys if keys[k] == 0] == []


def test_stepfree_builds_the_city_with_kerbs_crossings_and_steps(small_city):
    graph = stepfree.build_graph(small_city)
    kerb = graph.node("kerb")
    crossing = graph.node("crossing")
    assert np.count_nonzero(kerb != Kerb.UNKNOWN) > 0
    assert (
        np.count_nonzero(
            np.isin(crossing, [Crossing.MARKED, Crossing.TRAFFIC_SIGNALS, Crossing.UNMARKED])
        )
        > 0
    )
    assert np.count_nonzero(graph.edge("highway") == Highway.STEPS) > 0


def test_write_city_refuses_a_city_too_small(bench, tmp_path):
    with pytest.raises(ValueError, match="at least 500 nodes"):
        bench["synth"].write_city(tmp_path / "tiny.osm.pbf", 10, seed=1)


def test_synth_command_line(tmp_path):
    out = tmp_path / "c.osm.pbf"
    done = subprocess.run(
        [sys.executable, str(BENCH / "synth.py"), "--nodes", "1e3", "--seed", "2", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"wrote {out}:")
    bad = subprocess.run(
        [
            sys.executable,
            str(BENCH / "synth.py"),
            "--nodes",
            "10",
            "-o",
            str(tmp_path / "t.osm.pbf"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "at least 500 nodes" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_harness_quick_mode_measures_stepfree(tmp_path):
    report = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "bench_build.py"), "--quick", "--no-peers",
         "--work", str(tmp_path / "work"), "--report", str(report),
         "--plot", str(tmp_path / "plot.png")],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = report.read_text(encoding="utf-8")
    assert "<!-- build:start -->" in text
    assert "<!-- build:end -->" in text
    rows = [line for line in text.splitlines() if line.startswith("| synthetic 1e3 |")]
    time_row = rows[0].strip("|").split("|")  # input, nodes, ways, runs, stepfree, valhalla
    assert float(time_row[4]) > 0.0
    assert time_row[5].strip() == "—"
    assert (tmp_path / "work" / "results" / "build.json").is_file()


def test_report_sections_are_replaced_in_place(bench, tmp_path):
    report = tmp_path / "benchmarks.md"
    replace = bench["benchlib"].replace_section
    replace(report, "build", "build one")
    replace(report, "routing", "routing one")
    replace(report, "build", "build two")
    text = report.read_text(encoding="utf-8")
    assert "build two" in text
    assert "build one" not in text
    assert "routing one" in text
    assert text.count("<!-- build:start -->") == 1
    assert text.index("build two") < text.index("routing one")

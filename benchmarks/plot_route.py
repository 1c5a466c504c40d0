"""Plot route and isochrone time against network size (runs in ``benchmarks/.venv-peers``).

Usage: ``.venv-peers/bin/python benchmarks/plot_route.py route.json out.png``
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

STYLE = {
    ("stepfree", "manual_wheelchair"): ("#1b7837", "-", "stepfree wheelchair answer"),
    ("stepfree", "pedestrian"): ("#5aae61", "--", "stepfree pedestrian answer"),
    ("valhalla", "manual_wheelchair"): ("#762a83", "-", "Valhalla wheelchair route"),
    ("valhalla", "pedestrian"): ("#9970ab", "--", "Valhalla foot route"),
}


def _median(rows: list[dict]) -> float | None:
    return statistics.median(r["ms"] for r in rows) if rows else None


def _panel(ax: plt.Axes, results: list[dict], series: dict, title: str) -> None:
    for (tool, key), (colour, style, label) in series.items():
        for kind, marker, line in (("synthetic", "s", style), ("extract", "o", "none")):
            points = sorted(
                (r["graph_edges"], _median(_rows(r, tool, key)))
                for r in results
                if r["kind"] == kind and _median(_rows(r, tool, key)) is not None
            )
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            ax.plot(
                xs,
                ys,
                marker=marker,
                linestyle=line,
                color=colour,
                markerfacecolor=colour if kind == "synthetic" else "white",
                label=f"{label}: {'synthetic' if kind == 'synthetic' else 'extracts'}",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("stepfree graph edges")
    ax.set_ylabel("milliseconds per call (median)")
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)


def _rows(result: dict, tool: str, key: str) -> list[dict]:
    data = result.get(tool, {})
    if key == "isochrones":
        return data.get("isochrones", [])
    return data.get("routes", {}).get(key, [])


def main(argv: list[str]) -> int:
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    results = data["results"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), dpi=110)
    _panel(left, results, STYLE, "Routes (one process each, warm)")
    iso = {
        ("stepfree", "isochrones"): ("#1b7837", "-", "stepfree isochrone"),
        ("valhalla", "isochrones"): ("#762a83", "-", "Valhalla isochrone"),
    }
    _panel(right, results, iso, "Isochrones 5/10/15 min, wheelchair")
    m = data["machine"]
    fig.suptitle(f"{m['cores']} cores, {m['cpu']}, {m['date']}, commit {m['commit']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

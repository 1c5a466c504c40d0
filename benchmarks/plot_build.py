"""Plot build time against input size (runs in ``benchmarks/.venv-peers``, which has matplotlib).

Usage: ``.venv-peers/bin/python benchmarks/plot_build.py build.json out.png``
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOURS = {"stepfree": "#1b7837", "valhalla": "#762a83"}


def _median(runs: list[dict]) -> float | None:
    values = [r["wall_s"] for r in runs if "error" not in r]
    return statistics.median(values) if values else None


def main(argv: list[str]) -> int:
    data = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    results = data["results"]
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    for tool, colour in COLOURS.items():
        for kind, marker, style in (("synthetic", "s", "-"), ("extract", "o", "none")):
            points = sorted(
                (r["nodes"], _median(r["runs"][tool]))
                for r in results
                if r["kind"] == kind and _median(r["runs"][tool]) is not None
            )
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            ax.plot(
                xs,
                ys,
                marker=marker,
                linestyle=style,
                color=colour,
                label=f"{tool}: {'synthetic cities' if kind == 'synthetic' else 'extracts'}",
                markerfacecolor=colour if kind == "synthetic" else "white",
            )
    for r in results:
        if r["kind"] == "extract" and _median(r["runs"]["stepfree"]) is not None:
            ax.annotate(
                r["name"].split("_")[0],
                (r["nodes"], _median(r["runs"]["stepfree"])),
                fontsize=7,
                xytext=(4, 3),
                textcoords="offset points",
                color="#444",
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("input nodes")
    ax.set_ylabel("build wall time (s, median)")
    m = data["machine"]
    ax.set_title(
        f"Build time, 1 thread each ({m['cores']} cores, {m['cpu']}, {m['date']})", fontsize=9
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

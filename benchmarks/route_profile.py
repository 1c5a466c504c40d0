"""Where stepfree's route answers or isochrones spend their time: py-spy on a steady loop.

``route_worker.py loop`` answers the input's wheelchair pairs (or isochrones) for a fixed
time after loading the graph; py-spy samples it 100 times a second (``--function``, raw
stacks) and ``profiling.parse_pyspy`` sums the samples into inclusive and own time.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import benchlib
import profiling

HERE = Path(__file__).resolve().parent
SECONDS = 10.0  # of answering, after the graph is loaded


def profile(item: dict, kind: str, work: Path, py_spy: Path, seconds: float = SECONDS) -> dict:
    """Profile stepfree's ``routes`` or ``isochrones`` on ``item`` (a measured input)."""
    slug = item["name"].replace(" ", "-")
    folder = work / "results"
    folder.mkdir(parents=True, exist_ok=True)
    raw = folder / f"profile-{kind}-{slug}.pyspy.txt"
    plan = work / "route" / slug / "plan.json"
    loop = [sys.executable, str(HERE / "route_worker.py"), "loop", item["graph"], str(plan)]
    command = [
        str(py_spy), "record", "--function", "--format", "raw", "--rate",
        str(profiling.RATE_HZ), "--output", str(raw), "--", *loop, kind, str(seconds),
    ]  # fmt: skip
    log = work / "logs" / f"{slug}-profile-{kind}.log"
    run = benchlib.run_measured(command, log)
    if run.returncode != 0 or not raw.is_file():
        return {"input": item["name"], "kind": kind, "error": benchlib.log_tail(log)}
    table = profiling.parse_pyspy(raw, top=15)
    shown = [p.replace(str(Path(sys.executable).parent), ".venv/bin") for p in command]
    shown = [p.replace(str(benchlib.REPO) + "/", "") for p in shown]
    return {
        "input": item["name"],
        "kind": kind,
        "tool": "py-spy",
        "wall_s": run.wall_s,
        "calls": _calls(log),
        "command": shlex.join(shown),
        **table,
    }


def _calls(log: Path) -> int | None:
    """The loop's own count of answers (its last line: ``N calls``)."""
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.endswith(" calls") and line.split()[0].isdigit():
            return int(line.split()[0])
    return None

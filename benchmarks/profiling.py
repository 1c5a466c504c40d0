"""Where ``stepfree build`` spends its time: a sampling profile (py-spy) or cProfile.

py-spy (in ``benchmarks/.venv-peers``) samples the real build at full speed, 100 times a
second; its raw output (one line per distinct stack with a sample count) is summed here into
inclusive and own time per function. A function's own time includes the C code it calls
directly (pyosmium, numpy), since py-spy sees Python frames only. Without the peers,
cProfile is used instead; it slows Python-heavy code about twofold, so its shares lean
towards functions called very often.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import benchlib

RATE_HZ = 100
ALWAYS_SHARE = 0.995  # frames in (nearly) every sample, such as main(), say nothing


def _top(
    inclusive: Counter[str], own: Counter[str], total: float, unit: float, top: int
) -> tuple[list[dict], list[dict]]:
    def row(name: str, value: float) -> dict:
        return {"function": name, "seconds": value * unit, "share": value / total}

    by_inclusive = [
        row(n, v)
        for n, v in inclusive.most_common()
        if v < ALWAYS_SHARE * total and "<frozen " not in n  # importlib: counted in <module>
    ]
    by_own = [row(n, v) for n, v in own.most_common(top)]
    return by_inclusive[:top], by_own


def parse_pyspy(raw: Path, top: int = 20) -> dict:
    """Inclusive and own seconds per function from py-spy's ``--format raw`` output."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        samples, frames = int(count), stack.split(";")
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    if not total:
        raise ValueError(f"no samples in {raw}")
    by_inclusive, by_own = _top(inclusive, own, total, 1.0 / RATE_HZ, top)
    return {
        "samples": total,
        "total_s": total / RATE_HZ,
        "by_inclusive": by_inclusive,
        "by_own": by_own,
    }


def parse_cprofile(prof: Path, top: int = 20) -> dict:
    """Inclusive and own seconds per function from a cProfile dump."""
    import pstats

    stats = pstats.Stats(str(prof)).stats  # type: ignore[attr-defined]
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for (file, line, func), (_cc, _calls, tottime, cumtime, _) in stats.items():
        if file.startswith("<") or func.startswith("<built-in method builtins.exec"):
            continue
        name = f"{func} ({_short(file)}:{line})"
        inclusive[name] += cumtime
        own[name] += tottime
    total = max(inclusive.values())
    by_inclusive, by_own = _top(inclusive, own, total, 1.0, top)
    return {"samples": None, "total_s": total, "by_inclusive": by_inclusive, "by_own": by_own}


def _short(file: str) -> str:
    for marker in ("/src/", "/site-packages/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return Path(file).name


def profile_build(
    name: str, source: str, work: Path, env: dict[str, str], py_spy: Path | None
) -> dict:
    """Profile one ``stepfree build`` of ``source``; py-spy when given, else cProfile."""
    folder = work / "results"
    folder.mkdir(parents=True, exist_ok=True)
    slug = name.replace(" ", "-")
    out = work / "out" / f"{slug}-profiled.sfg"
    out.parent.mkdir(parents=True, exist_ok=True)
    stepfree = Path(sys.executable).parent / "stepfree"
    build = ["build", source, "-o", str(out)]
    if py_spy is not None:
        raw = folder / f"profile-{slug}.pyspy.txt"
        command: Sequence[str] = [
            str(py_spy),
            "record",
            "--function",
            "--format",
            "raw",
            "--rate",
            str(RATE_HZ),
            "--output",
            str(raw),
            "--",
            str(stepfree),
            *build,
        ]
    else:
        raw = folder / f"profile-{slug}.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(raw), "-m", "stepfree.cli", *build]
    log = work / "logs" / f"{slug}-profile.log"
    run = benchlib.run_measured(command, log, env={**os.environ, **env})
    out.unlink(missing_ok=True)
    if run.returncode != 0 or not raw.is_file():
        return {"input": name, "error": benchlib.log_tail(log)}
    table = parse_pyspy(raw) if py_spy is not None else parse_cprofile(raw)
    shown = [p.replace(str(Path(sys.executable).parent), ".venv/bin") for p in command]
    shown = [p.replace(str(benchlib.REPO) + "/", "") for p in shown]
    return {
        "input": name,
        "tool": "py-spy" if py_spy is not None else "cProfile",
        "wall_s": run.wall_s,
        "command": shlex.join(shown),
        "output": str(raw),
        **table,
    }

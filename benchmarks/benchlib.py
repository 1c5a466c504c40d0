"""Shared pieces of the benchmark harness: measured child runs, the machine, the report file.

- :func:`run_measured` runs one command as a child and returns its wall time, CPU time and peak
  resident memory, read exactly for that child with ``os.wait4`` (``ru_maxrss``).
- :func:`machine` describes the machine, the date and the git commit.
- :func:`replace_section` rewrites one section of ``docs/benchmarks.md`` in place, between
  ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, so the build, routing and isochrone parts
  of the harness each own their section and none clobbers another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    """One measured child process."""

    wall_s: float
    cpu_s: float  # user + system of the child (more than wall_s means it used threads)
    maxrss_mib: float  # peak resident set size of the child (ru_maxrss)
    returncode: int


# Run in a fresh, small interpreter: Linux gives an exec'd child a peak RSS no lower than the
# address space it was forked from (exec_mmap keeps the old mm's high-water mark), so a child
# forked from the harness, which holds numpy, pyosmium and graphs, would report the harness's
# memory. Forked from this helper (about 10 MiB), the floor is the helper's size.
_HELPER = """
import json, os, sys, time
log, command = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    try:
        os.execvp(command[0], command)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print(json.dumps([time.perf_counter() - started, usage.ru_utime + usage.ru_stime,
                  usage.ru_maxrss, os.waitstatus_to_exitcode(status)]))
"""


def run_measured(
    command: Sequence[str], log: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> Run:
    """Run ``command`` with output to ``log``; measure it alone, with ``os.wait4``.

    The command is forked from a small helper interpreter, which times it and reads its
    resource usage (see ``_HELPER``), so nothing of the harness's own memory is counted.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _HELPER, str(log), *command],
        capture_output=True,
        text=True,
        env=dict(env) if env else None,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring helper failed: {done.stderr.strip()[-300:]}")
    wall, cpu, maxrss_kib, returncode = json.loads(done.stdout)
    return Run(wall, cpu, maxrss_kib / 1024.0, returncode)


def helper_floor_mib() -> float:
    """Peak RSS reported for a command that uses almost nothing (``true``): the floor."""
    with tempfile.TemporaryDirectory() as folder:
        return run_measured(["true"], Path(folder) / "true.log").maxrss_mib


def log_tail(log: Path, lines: int = 3) -> str:
    """The last lines of a log, for an error message."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(text[-lines:])


def spread(values: Sequence[float], digits: int = 2, unit: str = "") -> str:
    """``median [min–max]`` (or the one value when there is one)."""
    if not values:
        return "—"
    median = statistics.median(values)
    text = f"{median:.{digits}f}{unit}"
    if len(values) > 1:
        text += f" [{min(values):.{digits}f}–{max(values):.{digits}f}]"
    return text


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def machine() -> dict[str, str]:
    """Cores, memory, CPU, OS, Python, date and git commit of this run."""
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    if git("status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    return {
        "cores": str(os.cpu_count()),
        "memory": f"{_memory_gib():.1f} GiB",
        "cpu": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "load": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),  # 1, 5, 15 min
    }


def replace_section(report: Path, name: str, body: str, title: str = "# Benchmarks") -> None:
    """Put ``body`` between this section's markers in ``report``, leaving the rest alone."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    text = (
        report.read_text(encoding="utf-8")
        if report.is_file()
        else (
            f"{title}\n\nGenerated by the harness in `benchmarks/`; each section is rewritten in "
            "place by the part of the harness that owns it.\n"
        )
    )
    if start in text and end in text and text.index(start) < text.index(end):
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    report.parent.mkdir(parents=True, exist_ok=True)
    tmp = report.with_name(report.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, report)

"""Every benchmark in one command: build, then routes/isochrones/memory, then HTTP.

    .venv/bin/python benchmarks/run_all.py            # what `make bench` runs
    .venv/bin/python benchmarks/run_all.py --quick --no-peers   # seconds, no peers

Each part runs as its own process (``bench_build.py --profile``, ``bench_route.py``,
``bench_http.py``) and rewrites only its own sections of ``docs/benchmarks.md``. A part that
fails is reported and the next one still runs; the exit status is that of the worst part.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smallest inputs, seconds")
    parser.add_argument("--no-peers", action="store_true", help="stepfree (and networkx) only")
    parser.add_argument("--report", type=Path, help="report file (default docs/benchmarks.md)")
    parser.add_argument("--work", type=Path, help="scratch folder (default benchmarks/work)")
    args = parser.parse_args(argv)
    common = [*(["--quick"] if args.quick else []), *(["--no-peers"] if args.no_peers else [])]
    if args.report:
        common += ["--report", str(args.report)]
    if args.work:
        common += ["--work", str(args.work)]
    parts = [
        ("build", ["bench_build.py", *([] if args.quick else ["--profile"])]),
        ("route", ["bench_route.py"]),
        ("http", ["bench_http.py"]),
    ]
    worst, started = 0, time.perf_counter()
    for name, (script, *extra) in parts:
        more = list(extra)
        if args.report and name == "build":
            more += ["--plot", str(args.report.with_name("bench_build.png"))]
        if args.report and name == "route":
            more += ["--plot", str(args.report.with_name("bench_route.png"))]
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / script), *more, *common], check=False)
        print(
            f"[run_all] {name}: exit {done.returncode} after {time.perf_counter() - t0:.0f} s",
            flush=True,
        )
        worst = max(worst, done.returncode)
    print(f"[run_all] all parts done in {(time.perf_counter() - started) / 60:.1f} min")
    return worst


if __name__ == "__main__":
    sys.exit(main())

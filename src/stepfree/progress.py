"""A progress line for long builds, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

PHASES = ("reading ways", "reading nodes", "building graph", "sampling terrain", "writing graph")
BAR_WIDTH = 20


def progress_printer() -> Callable[[str, int], None]:
    """A callback ``(phase, count)`` that draws a bar of phases on a terminal, else nothing."""
    if not sys.stderr.isatty():
        return lambda _phase, _count: None
    started = time.monotonic()

    def show(phase: str, count: int) -> None:
        step = PHASES.index(phase) + 1 if phase in PHASES else 0
        filled = BAR_WIDTH * step // len(PHASES)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = time.monotonic() - started
        sys.stderr.write(f"\r[{bar}] {phase}: {count:,} ({elapsed:.1f} s)\033[K")
        if phase == PHASES[-1]:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show

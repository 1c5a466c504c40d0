"""A progress line for long builds, shown only when stderr is a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

PHASES = ("reading ways", "reading nodes", "building graph", "sampling terrain", "writing graph")
DOWNLOAD_PHASES = ("downloading", "verifying")
BAR_WIDTH = 20


def progress_printer() -> Callable[[str, int], None]:
    """A callback ``(phase, count)`` that draws a bar of phases on a terminal, else nothing."""
    if not sys.stderr.isatty():
        return lambda _phase, _count: None
    started = time.monotonic()

    def show(phase: str, count: int) -> None:
        phases = DOWNLOAD_PHASES if phase in DOWNLOAD_PHASES else PHASES
        step = phases.index(phase) + 1 if phase in phases else 0
        filled = BAR_WIDTH * step // len(phases)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        elapsed = time.monotonic() - started
        sys.stderr.write(f"\r[{bar}] {phase}: {count:,} ({elapsed:.1f} s)\033[K")
        if phase == phases[-1]:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show

"""Domain errors.

Each subclasses the nearest builtin so that callers may catch either. The CLI (and later the
API) maps them to exit codes and HTTP statuses in one place. Every message names the problem
and what to do about it, in one line.
"""

from __future__ import annotations


class StepfreeError(Exception):
    """Base of every error stepfree raises on purpose."""


class BadInput(StepfreeError, ValueError):
    """The user gave something we cannot use (a missing file, a malformed option)."""


class BadData(StepfreeError, ValueError):
    """An input file exists but its content is unusable (corrupt, empty, out of area)."""


class GraphFormatError(StepfreeError, ValueError):
    """A graph file is corrupt, truncated or of another format version."""

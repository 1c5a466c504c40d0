"""The edges of the ``stepfree`` command: its help text, negative numbers as option values,
and where it writes (files the user named, standard output, a closed pipe).

A file the user names with ``-o`` or ``--problems`` is checked before any slow work (its
folder exists and takes a new file), written through a temporary file beside it and renamed
(``graph.export.atomic_write``), so a mistake is one line and exit 2, never a traceback, and
never a half-written file. ``-`` means standard output.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from stepfree.errors import BadInput

#: ``-o -``: write to standard output.
STDOUT = "-"
#: Exit status when the reader of our output goes away (``stepfree route ... | head -1``): the
#: status a shell shows for any Unix tool ended by SIGPIPE (128 + 13), not one of our own.
EXIT_BROKEN_PIPE = 141


DESCRIPTION = """\
Accessible pedestrian routing on OpenStreetMap data. Build a walking network that knows kerbs,
steps, slopes, surfaces, widths, crossings and elevators; route a person by a profile made for
them (wheelchair, walker, cane, blind, stroller), with what blocks the way when no route exists;
and serve it over HTTP with live barrier reports."""

EPILOG = """\
Coordinates are LAT,LON in degrees; west and south are negative (--from -33.9,18.4).
Without a graph file, commands use the bundled sample city (central Helsinki).
'stepfree COMMAND --help' shows a command's options.

exit codes: 0 success, 1 unusable data, 2 bad input, 3 no route.
Map data (c) OpenStreetMap contributors, ODbL."""


#: A value that starts like a negative number (-8.62,41.14,... or -33.9,18.4): no option of
#: ours starts with a digit, so it is never an option.
_NEGATIVE_VALUE = re.compile(r"-\.?\d")


def negative_values_joined(argv: Sequence[str]) -> list[str]:
    """``--bbox -8.62,41.14,-8.60,41.15`` as ``--bbox=-8.62,...``.

    argparse takes a token that starts with ``-`` for an option unless it is a plain negative
    number, so every bbox west of Greenwich and every point south of the equator needed ``=``.
    """
    out: list[str] = []
    for token in argv:
        previous = out[-1] if out else ""
        if (
            _NEGATIVE_VALUE.match(token)
            and previous.startswith("--")
            and previous != "--"
            and "=" not in previous
        ):
            out[-1] = f"{previous}={token}"
        else:
            out.append(token)
    return out


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def writable_output(value: str, what: str) -> Path:
    """The path of an output file the user named, after checking it can be written.

    Raises `BadInput` naming the file and the fix: a folder given, a folder that does not
    exist, or one where no file can be created (no permission, read-only, /proc).
    """
    path = Path(value)
    if path.is_dir():
        raise BadInput(f"{what} {path} is a folder, not a file; give a file name in it")
    folder = path.parent
    if not folder.is_dir():
        raise BadInput(
            f"cannot write {what} {path}: the folder {folder} does not exist; "
            "create it first or choose another file"
        )
    try:
        with tempfile.TemporaryFile(dir=folder, prefix=f".{path.name}."):
            pass
    except OSError as error:
        raise BadInput(
            f"cannot write {what} {path} ({_reason(error)}); choose a file in a folder "
            "you can write to"
        ) from None
    return path


def write_failed(error: OSError, path: Path, what: str) -> BadInput:
    """One line for a write that failed after the check (disk full, a folder removed...)."""
    hint = "free some space" if error.errno == errno.ENOSPC else "choose another file"
    return BadInput(f"cannot write {what} {path} ({_reason(error)}); {hint}, then run again")


def file_problem(error: OSError) -> str:
    """One line for a file error no check foresaw, naming the file."""
    return f"{error.filename}: {_reason(error)}; check the name, the folder and its permissions"


def write_to_stdout(name: str, write: Callable[[Path], Path]) -> None:
    """Run a file writer into a temporary folder, then copy what it wrote to standard output
    (binary, so a zip passes unchanged). ``name`` is the file name the writer is given (its
    suffix chooses the format and names the dataset inside an OSW zip)."""
    with tempfile.TemporaryDirectory(prefix="stepfree-") as folder:
        written = write(Path(folder) / name)
        sys.stdout.flush()
        with written.open("rb") as source:
            shutil.copyfileobj(source, sys.stdout.buffer)
        sys.stdout.buffer.flush()


def quiet_broken_pipe() -> int:
    """After a BrokenPipeError on standard output, as Python's documentation recommends
    (library/signal, "Note on SIGPIPE"): point standard output at the null device, so the flush
    at exit does not fail a second time with "Exception ignored ... BrokenPipeError"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout without a file descriptor (tests)
        pass
    return EXIT_BROKEN_PIPE

"""A change signal beside a SQLite report store, so that a request need not query the store to
learn that nothing changed.

Every write through ``ReportStore`` replaces a small file next to the database (``<db>-version``)
with a new token after its transaction commits. A reader compares the file's token with the one
it saw when it last read the store's version: the same token means no write went through any
stepfree process on this machine since, so the version it holds is current. A SQLite database is
on this machine by construction, so every stepfree writer bumps the same file; a change made
behind stepfree's back (a ``sqlite3`` shell) is seen within `MAX_AGE_S`, when the version is read
again anyway.

The order makes it safe: the writer commits, then replaces the file; a request that starts
after the write answered reads the new token, so it reads the version again and sees the write.
For PostgreSQL (writers may be on other hosts) there is no file and the version is read from the
database every time.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["MAX_AGE_S", "ChangeSignal"]

#: A version read from the store is trusted at most this long without reading it again (s).
MAX_AGE_S = 1.0


class ChangeSignal:
    """The change signal of one store (``path`` None: no signal, read the version always)."""

    @classmethod
    def beside(cls, database: str | None) -> ChangeSignal:
        """The signal of a SQLite database file (None, empty or ``:memory:``: no signal)."""
        if not database or database == ":memory:":
            return cls(None)
        return cls(Path(f"{database}-version"))

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._count = itertools.count()
        # (token seen, version read after it, monotonic time of the read); replaced whole
        self._seen: tuple[str | None, str, float] | None = None

    def bump(self) -> bool:
        """Replace the file with a new token (after a write committed); False if it failed."""
        if self.path is None:
            return True
        token = f"{os.getpid()}:{time.time_ns()}:{next(self._count)}"
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            temp.write_text(token, encoding="utf-8")
            os.replace(temp, self.path)
        except OSError:
            temp.unlink(missing_ok=True)
            self.forget()  # cannot signal: this process reads the version next time
            return False
        return True

    def forget(self) -> None:
        """Read the version again on the next call."""
        self._seen = None

    def _token(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8") if self.path else None
        except OSError:
            return None

    def version(self, read: Callable[[], str]) -> str:
        """The store's version: the one held when no write was signalled since it was read
        (and it is younger than `MAX_AGE_S`), else ``read()`` again."""
        if self.path is None:
            return read()
        token, now, seen = self._token(), time.monotonic(), self._seen
        if seen is not None and seen[0] == token and now - seen[2] < MAX_AGE_S:
            return seen[1]
        version = read()  # after the token: a write signalled later is read next time
        self._seen = (token, version, now)
        return version

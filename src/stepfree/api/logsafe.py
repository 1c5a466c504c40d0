"""Log lines nobody can forge: control characters in logged text are escaped.

A request path, a header or an exception message can carry a user's text; written raw, a
``%0A`` in a path starts a new line that looks like one of ours (``... ERROR ...``), a ``%00``
puts a NUL in the file, and U+2028/U+2029 break lines in viewers that honour them. Every log
record the service writes goes through :class:`SafeFormatter` (``api/server.py: log_config``),
and the access line escapes its own fields as well (:func:`escape`), so it stays one line
whatever formatter a host application puts in front of it.

Escaped: C0 (U+0000-U+001F, newline and tab included), DEL (U+007F), C1 (U+0080-U+009F) and
the line and paragraph separators U+2028/U+2029, as ``\\xNN`` or ``\\uNNNN``. A backslash is
left as is, so escaping twice changes nothing (the access line is escaped by the middleware
and again by the formatter).
"""

from __future__ import annotations

import logging
import re
from types import TracebackType

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
#: What starts each continuation line of a traceback: never a record's first column.
CONTINUATION = "  | "


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character and line separator written as an escape."""
    return _CONTROL.sub(_escaped, text)


def _continued(text: str) -> str:
    """A multi-line block (a traceback) kept readable: escaped, each line marked as a
    continuation, so none of its lines can pass for a record of its own."""
    lines = _CONTROL_BUT_NEWLINE.sub(_escaped, text).split("\n")
    return "\n".join(CONTINUATION + line for line in lines)


class SafeFormatter(logging.Formatter):
    """A formatter whose records are one line each, plus marked traceback lines.

    The record's line (time, level, logger, message) is escaped whole; an exception or stack
    appended to it keeps its line breaks, each following line starting with
    :data:`CONTINUATION`, and its control characters escaped (an exception message can hold a
    user's text, newline and all).
    """

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape(super().formatMessage(record))

    def formatException(self, ei: ExcInfo) -> str:  # noqa: N802
        return _continued(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return _continued(super().formatStack(stack_info))

"""Nobody can write a line into the service's log: control characters in logged text are
escaped, in the access line (over real HTTP, reading the server's stderr) and in every record
(the formatter ``stepfree serve`` configures, exceptions included)."""

from __future__ import annotations

import io
import logging
import logging.config
import time

import httpx

from stepfree.api.logsafe import CONTINUATION, SafeFormatter, escape
from stepfree.api.server import log_config

FORGED = "2026-12-03 16:40:00,000 ERROR stepfree.api: forged"


def _wait_for(server, text: str, timeout_s: float = 10.0) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        log = server.log()
        if text in log:
            return log
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never reached the log:\n{server.log()[-2000:]}")


def test_a_request_path_cannot_forge_a_log_line(make_server, generous) -> None:
    server = make_server(generous)
    paths = {
        "newline": "/v1/profiles/x%0A2026-12-03%2016:40:00,000%20ERROR%20stepfree.api:%20forged",
        "return": "/v1/profiles/x%0D2026-12-03%2016:40:00,000%20ERROR%20stepfree.api:%20forged",
        "nul": "/v1/profiles/nul%00byte",
        "del_and_c1": "/v1/profiles/del%7Fnel%C2%85csi%C2%9B",
        "separators": "/v1/profiles/ls%E2%80%A8ps%E2%80%A9end",
    }
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for path in paths.values():
            assert http.get(path).status_code == 404
    log = _wait_for(server, "ps\\u2029end")
    lines = log.splitlines()
    assert not [line for line in lines if line.startswith(FORGED[:23])], "a forged line"
    assert "\x00" not in log
    assert not set(log) & {"\r", "\x7f", "\x85", "\x9b", "\u2028", "\u2029"}
    access = [line for line in lines if "stepfree.access" in line]
    forged = "GET /v1/profiles/x\\x0a2026-12-03 16:40:00,000 ERROR stepfree.api: forged 404"
    assert any(forged in line for line in access), access
    assert any("/v1/profiles/nul\\x00byte 404" in line for line in access)
    assert any("/v1/profiles/del\\x7fnel\\x85csi\\x9b 404" in line for line in access)
    assert any("/v1/profiles/ls\\u2028ps\\u2029end 404" in line for line in access)
    assert "x\\x0d2026-12-03" in log


def _service_formatter() -> logging.Formatter:
    """The formatter ``stepfree serve`` gives its handlers (built as dictConfig builds it)."""
    config = log_config()
    formatter: logging.Formatter = logging.config.DictConfigurator(config).configure_formatter(
        config["formatters"]["plain"]
    )
    return formatter


def _record_of(logger_name: str, emit) -> str:
    """What the service's own formatter writes for the records ``emit`` logs."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_service_formatter())
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_log_config_escapes_messages_arguments_and_exceptions() -> None:
    def emit(logger: logging.Logger) -> None:
        logger.warning("report text %s", "ok\n" + FORGED)
        try:
            raise ValueError("user said:\n" + FORGED + "\x00")
        except ValueError:
            logger.exception("unexpected error on %s", "/v1/x\u2028y")

    text = _record_of("stepfree.test-log-safety", emit)
    lines = text.splitlines()
    assert lines[0].endswith("report text ok\\x0a" + FORGED)
    assert lines[1].endswith("unexpected error on /v1/x\\u2028y")
    assert lines[2] == CONTINUATION + "Traceback (most recent call last):"
    assert all(line.startswith(CONTINUATION) for line in lines[2:])  # none passes for a record
    assert lines[-1] == CONTINUATION + FORGED + "\\x00"
    assert lines[-2] == CONTINUATION + "ValueError: user said:"
    assert "\x00" not in text


def test_escape_covers_c0_del_c1_and_separators_and_is_idempotent() -> None:
    every = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029])
    escaped = escape("a" + every + "é ü \\ z")
    assert escaped.isprintable()
    assert escaped.startswith("a\\x00\\x01")
    assert escaped.endswith("\\u2028\\u2029é ü \\ z")
    assert escape(escaped) == escaped  # the access line is escaped twice, and reads the same
    assert isinstance(_service_formatter(), SafeFormatter)

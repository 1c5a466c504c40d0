"""Running the service: ``stepfree serve``, ``stepfree keys`` and ``stepfree audit`` call these."""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stepfree import _api, times
from stepfree.api.settings import settings_as_env, settings_from_env, store_url
from stepfree.errors import BadInput
from stepfree.reports.domain import ApiKey, Role
from stepfree.times import in_zone

if TYPE_CHECKING:
    from stepfree.reports.store import ReportStore

#: Seconds uvicorn waits for in-flight requests after SIGTERM/SIGINT before it closes them.
GRACEFUL_SHUTDOWN_S = 30


def log_config(level: str = "INFO") -> dict[str, Any]:
    """Logging for uvicorn and the service: to stderr, no access log of uvicorn's own (its
    lines carry query strings); the service writes ``stepfree.access`` lines without them."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {
                "()": "stepfree.api.logsafe.SafeFormatter",  # user text cannot forge a line
                "fmt": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "plain",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "stepfree": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }


def serve(
    graph: Path,
    db: str | None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    graceful_shutdown_s: int = GRACEFUL_SHUTDOWN_S,
) -> None:
    """Serve ``graph`` and the report store ``db`` until SIGTERM or SIGINT.

    The graph is checked and the store migrated here, once, before the workers start; each
    worker then builds the app with the same settings (passed as ``STEPFREE_*`` variables).
    In-flight requests are finished on shutdown (up to ``graceful_shutdown_s``).

    Raises
    ------
    BadInput
        A bad setting, an unreachable database.
    GraphFormatError
        An unusable graph file.
    """
    import uvicorn

    from stepfree.reports.store import ReportStore

    settings = settings_from_env(os.environ, graph=graph, db=db)  # --db over $STEPFREE_DB
    url = store_url(settings.db)  # a named database's folder must exist
    settings = settings.model_copy(update={"db": url})
    _api.load_graph(Path(graph))  # a corrupt file fails here in one line, not in each worker
    ReportStore.open(url, settings.confirmations_needed).close()
    os.environ.update(settings_as_env(settings))
    logging.getLogger("stepfree.api").info("starting on http://%s:%d", host, port)
    uvicorn.run(
        "stepfree.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(),
        access_log=False,
        # uvicorn would trust X-Forwarded-For from 127.0.0.1 (forwarded_allow_ips): the app
        # reads it from settings.trusted_proxies only (api.security.ProxyTrust, in get_caller)
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=graceful_shutdown_s,
    )


def open_store(db: str | None) -> ReportStore:
    """The report store ``db`` (default: the embedded SQLite), for ``stepfree keys`` and
    ``stepfree audit``, which work on the database directly (as the operator).

    Raises
    ------
    BadInput
        A bad URL, a named SQLite file in a folder that does not exist, an unreachable server.
    """
    from stepfree.reports.store import ReportStore

    return ReportStore.open(store_url(db))


def create_key(
    db: str | None, role: str, label: str = "", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new API key in the store ``db`` (default: the embedded SQLite); returns its secret."""
    with open_store(db) as store:
        return store.create_key(Role(role), label, expires_at)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}  # seconds per unit
_DURATION = re.compile(r"(\d{1,7})([smhdw])")


def parse_duration(text: str, option: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``45s`` or ``2w`` as a time span.

    Raises
    ------
    BadInput
        Naming the option and an example.
    """
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise BadInput(
            f"{option} {text!r} is not a duration; give a number and a unit s, m, h, d or w, "
            "for example 90d"
        )
    return timedelta(seconds=int(match[1]) * _UNITS[match[2]])


def parse_time(text: str, option: str) -> datetime:
    """An ISO-8601 time with its offset (``2027-01-01T00:00Z``): the key and audit commands
    work on the report store alone, with no city whose local time a bare time could be.

    Raises
    ------
    BadInput
        Naming the option and an example.
    """
    return in_zone(times.parse_time(text, option), None, option)


def expiry_from_options(
    at: str | None, within: str | None, now: datetime | None = None
) -> datetime | None:
    """The expiry of ``--expires TIME`` or ``--expires-in DURATION`` (None: neither given).

    Raises
    ------
    BadInput
        When both are given, or either is malformed.
    """
    if at is not None and within is not None:
        raise BadInput("give --expires or --expires-in, not both")
    if at is not None:
        return parse_time(at, "--expires")
    if within is not None:
        return (now or datetime.now(UTC)) + parse_duration(within, "--expires-in")
    return None

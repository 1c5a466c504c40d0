"""Running the service: ``stepfree serve`` and ``stepfree keys create`` call these."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from stepfree import _api
from stepfree.api.settings import settings_as_env, settings_from_env
from stepfree.reports.domain import ApiKey, Role

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

    from stepfree.api.settings import default_db_url
    from stepfree.reports.store import ReportStore

    settings = settings_from_env(os.environ, graph=graph, db=db)  # --db over $STEPFREE_DB
    url = settings.db or default_db_url()
    settings = settings.model_copy(update={"db": url})
    _api.load_graph(Path(graph))  # a corrupt file fails here in one line, not in each worker
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
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
        server_header=False,
        timeout_graceful_shutdown=graceful_shutdown_s,
    )


def create_key(db: str | None, role: str, label: str = "") -> tuple[ApiKey, str]:
    """A new API key in the store ``db`` (default: the embedded SQLite); returns its secret."""
    from stepfree.api.settings import default_db_url
    from stepfree.reports.store import ReportStore

    url = db or default_db_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    with ReportStore.open(url) as store:
        return store.create_key(Role(role), label)

"""GET and HEAD /v1/health: is the graph loaded and the report store reachable.

Load balancers probe with HEAD and add query parameters of their own (``?probe=1``); health
answers both and ignores every query parameter (``api/app.py`` mounts this router outside the
``/v1`` router that refuses unknown ones).
"""

from __future__ import annotations

import logging
from typing import Literal

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError

from stepfree.api.deps import ServiceDep
from stepfree.api.responses import CLOSED, json_response
from stepfree.api.service import Service
from stepfree.version import __version__

router = APIRouter(tags=["service"])
log = logging.getLogger("stepfree.api")


class GraphHealth(BaseModel):
    """The served graph."""

    model_config = CLOSED

    loaded: bool
    nodes: int
    edges: int


class Health(BaseModel):
    """The service's state."""

    model_config = CLOSED

    status: Literal["ok", "degraded"]
    version: str
    graph: GraphHealth
    db: bool
    reports_version: str | None


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "the report store is unreachable"}},
)
async def get_health(service: ServiceDep) -> Response:
    """200 when the graph is loaded and the store answers, else 503 (not rate-limited)."""
    version = await _store_version(service)
    body = Health(
        status="ok" if version is not None else "degraded",
        version=__version__,
        graph=GraphHealth(loaded=True, nodes=service.graph.n_nodes, edges=service.graph.n_edges),
        db=version is not None,
        reports_version=version,
    )
    return json_response(body.model_dump(), 200 if version is not None else 503)


@router.head(
    "/health",
    response_class=Response,
    responses={
        200: {"description": "the graph is loaded and the report store answers (no body)"},
        503: {"description": "the report store is unreachable (no body)"},
    },
)
async def head_health(service: ServiceDep) -> Response:
    """GET's status without its body, for load balancers."""
    version = await _store_version(service)
    return Response(status_code=200 if version is not None else 503)


async def _store_version(service: Service) -> str | None:
    """The report store's version, or None when it does not answer."""
    try:
        version: str | None = await anyio.to_thread.run_sync(service.store.version)
    except (SQLAlchemyError, OSError) as error:
        log.warning("health: report store unreachable: %s", type(error).__name__)
        return None
    return version

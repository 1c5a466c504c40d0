"""The app factory: ``create_app(settings)`` builds the FastAPI app of the stepfree service.

``stepfree serve`` runs it under uvicorn (``factory=True``; each worker process calls the
factory, which reads its settings from ``STEPFREE_*`` variables). The lifespan loads the graph
once (memory-mapped: workers share its pages), builds the routers and opens the report store.

The access log is the service's own: method, path without the query string, status and time.
Query strings can hold where a person is going and headers hold keys, so neither is logged;
the path is escaped (``api/logsafe.py``), so a request cannot write a line of its own.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from stepfree.api import audit, coverage, health, isochrones, keys, profiles, reports, routes
from stepfree.api.deps import Limiters, known_query_only
from stepfree.api.docs import install_docs
from stepfree.api.errors import install_error_handlers
from stepfree.api.logsafe import escape
from stepfree.api.openapi import install_openapi
from stepfree.api.query import single_valued_query
from stepfree.api.security import ASGIApp, BodyLimit, Message, Receive, Scope, Send
from stepfree.api.service import Service
from stepfree.api.settings import Settings, settings_from_env
from stepfree.version import __version__

access_log = logging.getLogger("stepfree.access")

DESCRIPTION = """\
Accessible pedestrian routing on OpenStreetMap data, with live barrier reports.

Routes and isochrones take any profile parameter by name (see `/v1/profiles/{name}`).
Errors share one model: `{"error": {"code": ..., "message": ...}}`. Moderation needs an API
key (`Authorization: Bearer <key>`). Map data (c) OpenStreetMap contributors, ODbL.
"""


class AccessLog:
    """ASGI middleware: one log line per request, and safe headers on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        api = scope["path"].startswith("/v1/")

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if api:  # answers are data, never a page to render
                    headers.append((b"content-security-policy", b"default-src 'none'"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            access_log.info(
                "%s %s %d %.1f ms",
                escape(scope["method"]),
                escape(scope["path"]),  # decoded: %0A is a newline here
                status,
                1000 * (time.perf_counter() - started),
            )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service's app; without ``settings`` they are read from ``STEPFREE_*`` variables."""
    settings = settings if settings is not None else settings_from_env(os.environ)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = await anyio.to_thread.run_sync(Service.open, settings)
        app.state.service = service
        await anyio.to_thread.run_sync(service.warm_up)
        logging.getLogger("stepfree.api").info(
            "serving %s (%d nodes, %d edges)",
            service.graph_path.name,
            service.graph.n_nodes,
            service.graph.n_edges,
        )
        try:
            yield
        finally:
            service.close()

    app = FastAPI(
        title="stepfree",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from our own assets (api/docs.py), not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limiters = Limiters(settings)
    app.state.allowed_query = {}
    install_error_handlers(app)
    install_openapi(app)
    install_docs(app)
    v1 = APIRouter(
        prefix="/v1", dependencies=[Depends(known_query_only), Depends(single_valued_query)]
    )
    for module in (routes, isochrones, profiles, coverage, reports, keys, audit):
        v1.include_router(module.router)
    app.include_router(v1)
    app.include_router(health.router, prefix="/v1")  # takes any query parameter (probes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "Location"],  # a page reads when to retry, where
            max_age=600,
        )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(AccessLog)
    return app

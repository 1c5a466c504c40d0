"""``/docs`` (Swagger UI) and ``/redoc`` served from this server alone, so they work offline.

FastAPI's own pages load Swagger UI, ReDoc and a favicon from CDNs, and ReDoc fonts from Google;
on a city's intranet or a laptop without a network the docs page stays blank. The assets come
from the ``fastapi-offline`` package, which bundles Swagger UI 5 (it reads OpenAPI 3.1, which
FastAPI writes; ``swagger-ui-bundle`` is still at Swagger UI 4) and ReDoc, and needs nothing but
FastAPI. They are served under ``/docs/assets``; Swagger UI's online validator badge is off.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"


def assets_folder() -> Path:
    """The folder of the bundled Swagger UI and ReDoc files."""
    return Path(str(resources.files("fastapi_offline").joinpath("static")))


def install_docs(app: FastAPI, openapi_url: str = "/openapi.json") -> None:
    """Serve ``/docs``, ``/redoc`` and their assets; ``app`` must have been made with
    ``docs_url=None, redoc_url=None`` (no CDN pages of FastAPI's own)."""
    app.mount(ASSETS, StaticFiles(directory=assets_folder()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # the badge asks swagger.io
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title}: API",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

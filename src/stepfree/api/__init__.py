"""The HTTP service: a FastAPI app over the library, with its settings and its server.

``create_app(settings)`` builds the app (``stepfree serve`` runs it under uvicorn); routers
call the library only, one module per resource (routes, isochrones, profiles, coverage,
reports, keys, health); errors map to HTTP in one place (``errors``).
"""

from stepfree.api.app import create_app
from stepfree.api.server import create_key, serve
from stepfree.api.settings import Settings, settings_from_env

__all__ = ["Settings", "create_app", "create_key", "serve", "settings_from_env"]

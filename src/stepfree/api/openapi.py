"""The OpenAPI document says what the server does.

FastAPI derives the document from the endpoints' declarations; this module corrects what they
cannot say, once, when ``/openapi.json`` is first asked for (``install_openapi``):

- **security**: every endpoint reads an optional key (``get_caller``), so FastAPI declares the
  bearer scheme as required everywhere. An operation needs a key only where its endpoint calls
  ``require_role`` (moderation, keys, audit), directly, through a helper of its module or
  through one of its dependencies: found by reading those functions' code, so a new endpoint
  is declared right without a list to keep. Elsewhere security is optional
  (``[{}, {"HTTPBearer": []}]``: anonymous, or a key for its own rate limit);
- **answers every operation can give**: 401 (a malformed or unknown key), 429 and 503 where a
  key is read; 422 where unknown or repeated query parameters are refused (every ``/v1``
  operation but health); 400 (not JSON), 413 and 422 where a JSON body is read; and 422 in
  our error model (FastAPI documents its ``HTTPValidationError``, which we never send);
- **media types**: ``/v1/reports.geojson`` answers ``application/geo+json``;
- **empty values**: a text query parameter the server refuses when empty (``minutes=``,
  ``at=``, ``bbox=``...) has ``minLength: 1``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from stepfree.api.errors import ErrorResponse

#: The security scheme FastAPI names after ``HTTPBearer`` (``api/deps.py: bearer``).
SCHEME = "HTTPBearer"
REQUIRED: list[dict[str, list[str]]] = [{SCHEME: []}]
OPTIONAL: list[dict[str, list[str]]] = [{}, {SCHEME: []}]
#: What makes a key required: a call of this function (``api/security.py``).
ROLE_CHECK = "require_role"
#: Operations whose answer is not ``application/json`` although their endpoint returns JSON.
MEDIA_TYPES = {("/v1/reports.geojson", "get"): "application/geo+json"}
#: Paths that accept any query parameter (load balancers add their own to health checks).
OPEN_QUERY = frozenset({"/v1/health"})

_TEXT = {
    400: "the body is not JSON (or not UTF-8)",
    401: "the Authorization header is not 'Bearer <key>', or the key is unknown",
    413: "request body too large",
    422: "invalid request or beyond a limit (the message names it)",
    429: "too many requests (see Retry-After)",
    503: "over the time budget, busy, or the report store unreachable (see Retry-After)",
}


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


@functools.cache
def _calls_in_module(name: str) -> dict[str, set[str]]:
    """For each function of a module, the names of the functions it calls."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[name]))
    except (KeyError, OSError, TypeError):  # no source to read: nothing is known to check
        return {}
    return {
        node.name: _called_names(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _checks_role(function: Callable[..., Any]) -> bool:
    """Whether ``function`` calls ``require_role``, itself or through functions of its module."""
    name, module = getattr(function, "__name__", None), getattr(function, "__module__", None)
    if not (inspect.isfunction(function) and name and module):
        return False  # a callable object (the HTTPBearer scheme itself): checks no role
    calls = _calls_in_module(module)
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        called = calls.get(current, set())
        if ROLE_CHECK in called:
            return True
        todo += [c for c in called if c in calls]
    return False


def _dependencies(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependencies(sub)


def _api_routes(app: FastAPI) -> Iterator[Any]:
    """Every endpoint of ``app`` with its full path, however FastAPI keeps included routers
    (copied into ``app.routes``; since 0.16x kept as routers, flattened by
    ``iter_route_contexts``). Each has ``path_format``, ``methods``, ``endpoint``,
    ``dependant`` and ``include_in_schema``."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    for route in flatten(app.routes) if flatten is not None else app.routes:
        if isinstance(getattr(route, "original_route", route), APIRoute):
            yield route


def key_required(route: Any) -> bool:
    """Whether the route's endpoint refuses a caller without a key of some role."""
    return any(_checks_role(f) for f in (route.endpoint, *_dependencies(route.dependant)))


def _has_body(route: Any) -> bool:
    return bool(route.dependant.body_params)


def _error(status: int) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ErrorResponse.__name__}"}
    return {"description": _TEXT[status], "content": {"application/json": {"schema": schema}}}


def _non_empty(parameter: dict[str, Any]) -> None:
    """``minLength: 1`` on a text parameter without a fixed set of values."""
    schema = parameter.get("schema", {})
    for branch in [schema, *schema.get("anyOf", ())]:
        if branch.get("type") == "string" and "enum" not in branch and "format" not in branch:
            branch.setdefault("minLength", 1)


def _is_fastapis_422(response: dict[str, Any] | None) -> bool:
    if response is None:
        return False
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def _drop_unused_schemas(document: dict[str, Any]) -> None:
    """FastAPI's validation error models, once no operation refers to them."""
    schemas = document.get("components", {}).get("schemas", {})
    text = json.dumps(document["paths"])
    for name in ("HTTPValidationError", "ValidationError"):
        others = json.dumps({k: v for k, v in schemas.items() if k != name})
        if f'/{name}"' not in text and f'/{name}"' not in others:
            schemas.pop(name, None)


def amend(document: dict[str, Any], app: FastAPI) -> None:
    """Correct ``document`` (the generated one) in place; see the module docstring."""
    document.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        ErrorResponse.__name__,
        ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}"),
    )
    for route in _api_routes(app):
        if not route.include_in_schema:
            continue
        for method in sorted(route.methods or ()):
            operation = document["paths"].get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            statuses: set[int] = set()
            if "security" in operation:
                operation["security"] = REQUIRED if key_required(route) else OPTIONAL
                statuses |= {401, 429, 503}
            if route.path_format.startswith("/v1/") and route.path_format not in OPEN_QUERY:
                statuses.add(422)
            if _has_body(route):
                statuses |= {400, 413, 422}
            for status in sorted(statuses):
                responses.setdefault(str(status), _error(status))
            if _is_fastapis_422(responses.get("422")):  # we answer 422 in our error model
                responses["422"] = _error(422)
            media = MEDIA_TYPES.get((route.path_format, method.lower()))
            if media is not None and "200" in responses:
                content = responses["200"].setdefault("content", {})
                content[media] = content.pop("application/json", {})
            for parameter in operation.get("parameters", ()):
                if parameter.get("in") == "query":
                    _non_empty(parameter)
    _drop_unused_schemas(document)


def install_openapi(app: FastAPI) -> None:
    """Make ``app.openapi()`` (``/openapi.json``, the docs page) return the amended document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            amend(document, app)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

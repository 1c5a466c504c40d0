"""The one place where errors become HTTP answers: ``{"error": {"code": ..., "message": ...}}``.

Domain errors (``BadInput``, ``NotFound``, ``Conflict``) and the service's own refusals (auth,
rate, limits, time budget, body size) each map to one status. Anything unexpected is a 500
whose message says nothing about the internals (the traceback goes to the log only).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from stepfree.errors import BadData, BadInput, Conflict, NotFound, NoUsableWay, StepfreeError

log = logging.getLogger("stepfree.api")

#: Seconds a client is asked to wait when the report store is busy or unreachable.
STORE_RETRY_S = 5


#: Characters of an error message at most (a message repeats nothing long a client sent).
MAX_MESSAGE_CHARS = 500


class ErrorBody(BaseModel):
    """What went wrong, in one line. (A refused route or isochrone answers in the same shape
    with more members: `stepfree.answers.Refusal`.)"""

    model_config = ConfigDict(extra="forbid")  # a documented shape: every member is named

    code: str = Field(description="a stable name of the error, such as not_found")
    message: str = Field(max_length=MAX_MESSAGE_CHARS, description="one line for a person")


class ErrorResponse(BaseModel):
    """The one error model of every endpoint."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


class ServiceError(StepfreeError):
    """A refusal by the service itself; carries its status, code and headers."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}


class Unauthorized(ServiceError):
    """A key is needed and is missing or unknown (401)."""

    status, code = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": "Bearer"})


class Forbidden(ServiceError):
    """The key's role may not do this (403)."""

    status, code = 403, "forbidden"


class LimitExceeded(ServiceError, BadInput):
    """A request beyond one of the service's limits (422 naming the limit)."""

    status, code = 422, "limit_exceeded"


class RateLimited(ServiceError):
    """Too many requests for this key or address (429 with Retry-After)."""

    status, code = 429, "rate_limited"

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message, {"Retry-After": str(retry_after_s)})


class BodyTooLarge(ServiceError):
    """A request body over the size limit (413)."""

    status, code = 413, "body_too_large"


class Overloaded(ServiceError):
    """The request ran out of its time budget or found no free router (503, Retry-After)."""

    status, code = 503, "overloaded"

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message, {"Retry-After": str(retry_after_s)})


class NotImplementedYet(ServiceError):
    """An endpoint whose library part is missing from this installation (501)."""

    status, code = 501, "not_implemented"


def bounded(message: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``message`` cut to ``limit`` characters (with an ellipsis when cut)."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def error_response(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """The error model as a response; ``extra`` members go inside ``error``."""
    body = {"error": {"code": code, "message": bounded(message), **extra}}
    return JSONResponse(body, status_code=status, headers=headers)


#: pydantic's error types in our words: ``{name}`` is the field, the rest pydantic's context.
_SENTENCES = {
    "missing": "{name} is required",
    "extra_forbidden": "unknown field {name!r}",
    "int_parsing": "{name} must be a whole number",
    "int_type": "{name} must be a whole number",
    "int_from_float": "{name} must be a whole number",
    "float_parsing": "{name} must be a number",
    "float_type": "{name} must be a number",
    "finite_number": "{name} must be a finite number",
    "bool_parsing": "{name} must be true or false",
    "bool_type": "{name} must be true or false",
    "string_type": "{name} must be text",
    "string_too_short": "{name} must have at least {min_length} character(s)",
    "string_too_long": "{name} must have at most {max_length} characters",
    "string_pattern_mismatch": "{name} is not in the expected form",
    "greater_than": "{name} must be more than {gt}",
    "greater_than_equal": "{name} must be {ge} or more",
    "less_than": "{name} must be less than {lt}",
    "less_than_equal": "{name} must be {le} or less",
    "enum": "{name} must be one of {expected}",
    "literal_error": "{name} must be one of {expected}",
    "dict_type": "{name} must be a JSON object",
    "model_type": "{name} must be a JSON object",
    "model_attributes_type": "{name} must be a JSON object",
    "list_type": "{name} must be a JSON array",
    "datetime_parsing": "{name} must be an ISO-8601 time, for example 2026-01-15T08:30Z",
    "datetime_from_date_parsing": "{name} must be an ISO-8601 time, for example 2026-01-15T08:30Z",
    "datetime_type": "{name} must be an ISO-8601 time, for example 2026-01-15T08:30Z",
    "timezone_aware": "{name} needs a time zone, for example 2026-01-15T08:30+05:00",
}
#: Characters of one field's sentence at most, and fields named in one message.
_PART_CHARS, _PARTS = 200, 5


def _sentence(item: Any) -> str:
    where = [str(p) for p in item.get("loc", ()) if p not in ("body", "query", "path", "header")]
    name = ".".join(where) or "the request body"
    kind = str(item.get("type", ""))
    if kind == "value_error":  # our own validators' sentence, after pydantic's prefix
        text = str(item.get("msg", "")).removeprefix("Value error, ")
        return bounded(f"{name}: {text}", _PART_CHARS)
    template = _SENTENCES.get(kind, "{name} is not valid")
    context = {k: str(v) for k, v in (item.get("ctx") or {}).items()}
    try:
        return bounded(template.format(name=name, **context), _PART_CHARS)
    except (KeyError, IndexError):  # a context member missing: say less, never pydantic's text
        return bounded(f"{name} is not valid", _PART_CHARS)


def _validation_message(error: RequestValidationError) -> str:
    """One line naming each wrong field (query parameter or body member) and what to give."""
    items = list(error.errors())
    parts = list(dict.fromkeys(_sentence(item) for item in items[:_PARTS]))
    if len(items) > _PARTS:
        parts.append(f"and {len(items) - _PARTS} more")
    return bounded("; ".join(parts) or "the request is not valid")


#: What a body that is not JSON text gets (one status for every way of not being JSON).
NOT_JSON = "the request body is not JSON text (UTF-8); send a JSON object"


_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
}


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on ``app``."""

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, error: ServiceError) -> JSONResponse:
        return error_response(error.status, error.code, str(error), error.headers)

    @app.exception_handler(BadInput)
    async def _bad_input(_request: Request, error: BadInput) -> JSONResponse:
        return error_response(422, "bad_input", str(error))

    @app.exception_handler(BadData)
    async def _bad_data(_request: Request, error: BadData) -> JSONResponse:
        log.error("unusable data: %s", error)
        return error_response(500, "bad_data", "the server's data is unusable; see its log")

    @app.exception_handler(NotFound)
    async def _not_found(_request: Request, error: NotFound) -> JSONResponse:
        return error_response(404, "not_found", str(error).strip("'\""))

    @app.exception_handler(NoUsableWay)
    async def _no_way(_request: Request, error: NoUsableWay) -> JSONResponse:
        return error_response(404, "no_usable_way", str(error))

    @app.exception_handler(Conflict)
    async def _conflict(_request: Request, error: Conflict) -> JSONResponse:
        return error_response(409, "conflict", str(error))

    async def _store_down(_request: Request, error: Exception) -> JSONResponse:
        log.warning("report store unavailable: %s", type(error).__name__)
        return error_response(
            503,
            "store_unavailable",
            "the report store is busy or unreachable; try again shortly",
            {"Retry-After": str(STORE_RETRY_S)},
        )

    for kind in (OperationalError, DisconnectionError, PoolTimeout):
        app.add_exception_handler(kind, _store_down)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        if any(item.get("type") == "json_invalid" for item in error.errors()):
            return error_response(400, "bad_request", NOT_JSON)
        return error_response(422, "invalid_request", _validation_message(error))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, f"http_{error.status_code}")
        message = str(error.detail) if error.detail else code
        if error.status_code == 404:
            message = "no such endpoint; see /docs for the endpoints under /v1"
        elif error.status_code == 400 and "parsing the body" in message:
            message = NOT_JSON
        return error_response(error.status_code, code, message, dict(error.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal", "unexpected server error; it has been logged")


#: OpenAPI description of the error answers shared by the endpoints.
def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries documenting the error model for these statuses."""
    text = {
        400: NOT_JSON,
        401: "a key is needed (Authorization: Bearer ...) and is missing or unknown",
        403: "the key's role may not do this",
        404: "not found",
        409: "conflict with the current state",
        413: "request body too large",
        422: "invalid request or beyond a limit (the message names it)",
        429: "too many requests (see Retry-After)",
        501: "not available in this installation",
        503: "over the time budget or busy (see Retry-After)",
    }
    return {s: {"model": ErrorResponse, "description": text[s]} for s in statuses}

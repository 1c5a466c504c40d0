"""GET /v1/route: the CLI's route answer over HTTP (200 with a route, 404 without one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from stepfree.answers import FoundRoute, RefusalResponse, RouteAnswer
from stepfree.api.deps import CallerDep, ServiceDep, SettingsDep
from stepfree.api.errors import error_responses
from stepfree.api.limits import check_route_distance, within_budget
from stepfree.api.params import AT_HELP, parse_at, point, profile_query_docs
from stepfree.api.responses import json_response, refusal_body
from stepfree.profiles.model import preset_names, profile_from_request
from stepfree.profiles.overrides import overrides_from_query
from stepfree.routing.narration.i18n import check_language

router = APIRouter(tags=["routing"])


@router.get(
    "/route",
    summary="An accessible route between two points",
    response_model=FoundRoute,
    responses={
        404: {
            "model": RefusalResponse,
            "description": "no route: error.blocked_by and error.relax say why and what opens one",
        },
        **error_responses(401, 422, 429, 503),
    },
    openapi_extra={"parameters": list(profile_query_docs())},
)
async def get_route(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    _caller: CallerDep,
    origin: Annotated[
        str, Query(alias="from", description="LAT,LON in degrees", examples=["60.1675,24.9365"])
    ],
    to: Annotated[str, Query(description="LAT,LON in degrees", examples=["60.1710,24.9450"])],
    profile: Annotated[
        str,
        Query(
            description="a preset (see /v1/profiles)", json_schema_extra={"enum": preset_names()}
        ),
    ] = "pedestrian",
    lang: Annotated[
        str,
        Query(description="language of the text", json_schema_extra={"enum": ["en", "ru", "kk"]}),
    ] = "en",
    at: Annotated[str | None, Query(description=AT_HELP)] = None,
) -> Response:
    """Route ``from`` -> ``to`` for a profile; any profile parameter may be set by name.

    The answer is the JSON of ``stepfree route --format json``: 200 with ``route``; when no
    route exists, 404 in the error shape with ``error.blocked_by`` and ``error.relax``.
    """
    start, end = point(origin, "origin"), point(to, "destination")
    check_route_distance(start, end, settings)
    service.check_inside(start, "origin")
    service.check_inside(end, "destination")
    check_language(lang)
    when = parse_at(at)
    overrides = overrides_from_query(request.query_params)

    def work() -> RouteAnswer:
        chosen = profile_from_request(profile, overrides)
        return service.route(start, end, chosen, lang, when)

    result = await within_budget(work, settings)
    if result["route"] is None:
        return json_response(refusal_body(result), 404)
    return json_response(result)

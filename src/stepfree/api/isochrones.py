"""GET /v1/isochrone: where a person can get within some minutes, as nested polygons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from stepfree.answers import IsochroneCollection, RefusalResponse
from stepfree.api.deps import CallerDep, ServiceDep, SettingsDep
from stepfree.api.errors import error_responses
from stepfree.api.limits import parse_minutes, within_budget
from stepfree.api.params import AT_HELP, parse_at, point, profile_query_docs
from stepfree.api.responses import json_response, refusal_body
from stepfree.errors import NoUsableWay
from stepfree.profiles.model import preset_names, profile_from_request
from stepfree.profiles.overrides import overrides_from_query
from stepfree.routing.narration.i18n import check_language

router = APIRouter(tags=["routing"])


@router.get(
    "/isochrone",
    summary="Reachable areas within some minutes, for a profile",
    response_model=IsochroneCollection,
    responses={
        404: {
            "model": RefusalResponse,
            "description": "no usable way within the profile's max_access_m of the origin",
        },
        **error_responses(401, 422, 429, 503),
    },
    openapi_extra={"parameters": list(profile_query_docs())},
)
async def get_isochrone(
    request: Request,
    service: ServiceDep,
    settings: SettingsDep,
    _caller: CallerDep,
    origin: Annotated[
        str, Query(alias="from", description="LAT,LON in degrees", examples=["60.1675,24.9365"])
    ],
    minutes: Annotated[
        str,
        Query(
            description="one or more times in minutes, e.g. 5,10,15 (limits: "
            "max_isochrone_minutes, max_isochrone_thresholds)"
        ),
    ],
    profile: Annotated[
        str,
        Query(
            description="a preset (see /v1/profiles)", json_schema_extra={"enum": preset_names()}
        ),
    ] = "pedestrian",
    lang: Annotated[
        str,
        Query(description="language of the labels", json_schema_extra={"enum": ["en", "ru", "kk"]}),
    ] = "en",
    at: Annotated[str | None, Query(description=AT_HELP)] = None,
) -> Response:
    """A GeoJSON FeatureCollection: one polygon per time, smallest first, nested."""
    start = point(origin, "origin")
    service.check_inside(start, "origin")
    times = parse_minutes(minutes, settings)
    check_language(lang)
    when = parse_at(at)
    overrides = overrides_from_query(request.query_params)

    def work() -> IsochroneCollection:
        chosen = profile_from_request(profile, overrides)
        return service.isochrone(start, times, chosen, lang, when)

    try:
        return json_response(await within_budget(work, settings))
    except NoUsableWay as error:
        if error.explanation is None:
            raise
        return json_response(refusal_body(error.explanation), 404)

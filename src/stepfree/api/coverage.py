"""GET /v1/coverage: how much of the served network's accessibility data is known."""

from __future__ import annotations

import anyio.to_thread
from fastapi import APIRouter
from fastapi.responses import Response

from stepfree.answers import Coverage
from stepfree.api.deps import CallerDep, ServiceDep
from stepfree.api.errors import error_responses
from stepfree.api.responses import json_response

router = APIRouter(tags=["network"])


@router.get(
    "/coverage",
    response_model=Coverage,
    responses=error_responses(429),
    summary="Attribute coverage of the served network (as stepfree inspect --json)",
)
async def get_coverage(service: ServiceDep, _caller: CallerDep) -> Response:
    """Network size, the share of ways and nodes whose accessibility attributes are known."""
    report = await anyio.to_thread.run_sync(service.coverage)
    return json_response(report)

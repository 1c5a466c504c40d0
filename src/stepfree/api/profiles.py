"""GET /v1/profiles and /v1/profiles/{name}: the presets and their parameter tables."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from stepfree.api.deps import CallerDep
from stepfree.api.errors import error_responses
from stepfree.api.responses import CLOSED
from stepfree.errors import NotFound
from stepfree.profiles.listing import parameter_table
from stepfree.profiles.model import preset, preset_names

router = APIRouter(tags=["profiles"])


class ProfileSummary(BaseModel):
    """A preset's name and title."""

    model_config = CLOSED

    name: str
    title: str


class ParameterRow(BaseModel):
    """One parameter of a preset with its value, range, unit and meaning."""

    model_config = CLOSED

    facet: str
    parameter: str
    value: float | int | bool | str
    minimum: float | None = Field(None, description="lowest value allowed (numbers only)")
    maximum: float | None = Field(None, description="highest value allowed (numbers only)")
    unit: str
    meaning: str


class ProfileDetail(BaseModel):
    """A preset, the sources of its defaults, and every parameter."""

    model_config = CLOSED

    name: str
    title: str
    sources: list[str]
    parameters: list[ParameterRow]


@router.get("/profiles", response_model=list[ProfileSummary], responses=error_responses(429))
def list_profiles(_caller: CallerDep) -> list[ProfileSummary]:
    """The bundled presets."""
    return [ProfileSummary(name=name, title=preset(name).title) for name in preset_names()]


@router.get("/profiles/{name}", response_model=ProfileDetail, responses=error_responses(404, 429))
def get_profile(name: str, _caller: CallerDep) -> ProfileDetail:
    """A preset's parameters with their ranges: each may be set by name on /v1/route."""
    if name not in preset_names():
        raise NotFound(f"no profile {name!r}; choose one of {', '.join(preset_names())}")
    profile = preset(name)
    return ProfileDetail(
        name=name,
        title=profile.title,
        sources=list(profile.sources),
        parameters=[ParameterRow(**row) for row in parameter_table(name)],
    )

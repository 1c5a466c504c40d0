"""The profile: one validated model for every person's limits, guidance needs and preferences.

A profile is made of three facets that combine freely (a blind wheelchair user is one profile):

- ``mobility``: hard physical limits and speed (inclines, kerbs, widths, steps, surfaces);
- ``guidance``: what a blind or low-vision person needs at crossings;
- ``preferences``: lighting, winter, how strongly to avoid, and the unknown-data policies.

Every numeric parameter is declared once in ``PARAMETERS`` with (minimum, default, maximum, unit,
meaning). Presets (``presets/*.toml``) and per-request overrides go through the same model, so an
out-of-range value is refused with the range, never silently clamped.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stepfree.errors import BadInput


class Policy(StrEnum):
    """What to do with a way or node: use it, prefer a clean alternative, or never use it."""

    ALLOW = "allow"
    AVOID = "avoid"
    FORBID = "forbid"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter: the single source of its range, default, unit and meaning."""

    minimum: float
    default: float
    maximum: float
    unit: str
    meaning: str


# Defaults are for an adult walking without limits; presets tighten them (with sources there).
PARAMETERS: dict[str, Parameter] = {
    "speed_m_s": Parameter(0.1, 1.3, 3.0, "m/s", "walking or rolling speed on the flat"),
    "max_incline_up_pct": Parameter(0, 100, 100, "%", "steepest grade climbed"),
    "max_incline_down_pct": Parameter(0, 100, 100, "%", "steepest grade descended"),
    "max_kerb_height_m": Parameter(0, 1.0, 1.0, "m", "highest kerb to get up or down"),
    "min_width_m": Parameter(0, 0, 5, "m", "narrowest way that fits"),
    "max_step_count": Parameter(0, 10_000, 10_000, "steps", "most steps in one flight (0: none)"),
    "avoid_factor": Parameter(1, 2, 10, "x", "an avoided way counts this many times its length"),
    "avoid_node_detour_m": Parameter(0, 150, 2000, "m", "detour accepted to skip an avoided node"),
    "crossing_detour_m": Parameter(
        0, 0, 2000, "m", "detour accepted to skip an uncontrolled crossing of a busy road"
    ),
    "busy_road_min_lanes": Parameter(1, 3, 10, "lanes", "lanes from which a road counts as busy"),
    "unlit_factor": Parameter(1, 1, 10, "x", "an unlit way counts this many times its length"),
    "max_access_m": Parameter(
        0, 300, 300, "m", "longest stretch of unmapped ground to or from the network"
    ),
}

#: Surface groups from smooth to rough (a small wheel's view), and smoothness in OSM order.
SurfaceName = Literal[
    "paved_smooth", "paving_stones", "compacted", "other", "sett", "gravel", "unpaved_soft"
]
SmoothnessName = Literal[
    "excellent",
    "good",
    "intermediate",
    "bad",
    "very_bad",
    "horrible",
    "very_horrible",
    "impassable",
]


def _number(name: str) -> Any:
    spec = PARAMETERS[name]
    return Field(
        spec.default, ge=spec.minimum, le=spec.maximum, description=f"{spec.meaning} ({spec.unit})"
    )


class _Facet(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=True)


class Mobility(_Facet):
    """Physical limits and speed."""

    speed_m_s: float = _number("speed_m_s")
    max_incline_up_pct: float = _number("max_incline_up_pct")
    max_incline_down_pct: float = _number("max_incline_down_pct")
    max_kerb_height_m: float = _number("max_kerb_height_m")
    min_width_m: float = _number("min_width_m")
    max_step_count: int = _number("max_step_count")
    max_access_m: float = _number("max_access_m")
    wheeled: bool = Field(False, description="moves on wheels (wheelchair, stroller, rollator)")
    respect_wheelchair_tag: bool = Field(False, description="wheelchair=no forbids, limited avoids")
    stroller_ramps: bool = Field(False, description="ramp:stroller=yes makes steps usable")
    max_surface: SurfaceName = Field("unpaved_soft", description="roughest surface group welcome")
    max_smoothness: SmoothnessName = Field("impassable", description="roughest smoothness welcome")
    rough_policy: Policy = Field(Policy.AVOID, description="ways rougher than the above")


class Guidance(_Facet):
    """What a blind or low-vision person needs."""

    announce: bool = Field(False, description="announce tactile paving and audible signals")
    prefer_audible_signals: bool = Field(False, description="avoid signals without sound")
    prefer_tactile_paving: bool = Field(False, description="avoid crossings without tactile")
    crossing_detour_m: float = _number("crossing_detour_m")
    busy_road_min_lanes: int = _number("busy_road_min_lanes")
    major_road_without_sidewalk: Policy = Field(
        Policy.ALLOW, description="trunk/primary/secondary with sidewalk=no"
    )


class Preferences(_Facet):
    """Preferences and how to treat what the map does not know."""

    avoid_factor: float = _number("avoid_factor")
    avoid_node_detour_m: float = _number("avoid_node_detour_m")
    avoid_unlit: bool = Field(False, description="prefer lit ways")
    unlit_factor: float = _number("unlit_factor")
    winter: Literal["auto", "yes", "no"] = Field(
        "auto",
        description="snow season: auto follows the city's winter months at the time of travel",
    )
    winter_unserviced: Policy = Field(Policy.AVOID, description="winter_service=no in winter")
    unknown_kerb: Policy = Field(Policy.ALLOW, description="a kerb or crossing of unknown height")
    unknown_incline: Policy = Field(Policy.ALLOW, description="a way of unknown grade")
    unknown_width: Policy = Field(Policy.ALLOW, description="a way of unknown width")
    unknown_surface: Policy = Field(Policy.ALLOW, description="a way of unknown surface")
    unknown_step_count: Policy = Field(Policy.ALLOW, description="steps of unknown count")


class Profile(BaseModel):
    """A person's routing profile: three facets that combine."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "custom"
    title: str = ""
    sources: list[str] = Field(default_factory=list, description="where the defaults come from")
    mobility: Mobility = Mobility()
    guidance: Guidance = Guidance()
    preferences: Preferences = Preferences()

    @classmethod
    def from_toml(cls, text: str) -> Profile:
        """Parse a preset file."""
        return cls.model_validate(tomllib.loads(text))

    def with_overrides(self, overrides: dict[str, str]) -> Profile:
        """A copy with parameters set by name (``max_kerb_height_m=0.04``), validated.

        A number may be written with a decimal comma (``0,04``), as ru and kk write it.
        """
        if not overrides:
            return self
        data = self.model_dump()
        for key, raw in overrides.items():
            facet = facet_of(key)
            if key in PARAMETERS and isinstance(raw, str) and _DECIMAL_COMMA.match(raw):
                raw = raw.replace(",", ".")
            data[facet][key] = raw
        try:
            return Profile.model_validate(data)
        except ValidationError as error:
            raise BadInput(_explain(error)) from None

    def key(self) -> str:
        """A stable cache key for costs computed from this profile (computed once: a profile
        is frozen, and a request asks for its key several times)."""
        return self._key

    @functools.cached_property
    def _key(self) -> str:
        return self.model_dump_json(exclude={"name", "title", "sources"})


#: A number with a decimal comma ("0,04"): one comma between digits, nothing else.
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")

FACETS: dict[str, type[BaseModel]] = {
    "mobility": Mobility,
    "guidance": Guidance,
    "preferences": Preferences,
}


def facet_of(parameter: str) -> str:
    """The facet a parameter belongs to, or BadInput listing the known parameters."""
    for name, facet in FACETS.items():
        if parameter in facet.model_fields:
            return name
    known = sorted(p for f in FACETS.values() for p in f.model_fields)
    raise BadInput(f"unknown profile parameter {parameter!r}; known parameters: {', '.join(known)}")


def _explain(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][-1])
    value = first.get("input")
    field = None
    for facet in FACETS.values():
        field = facet.model_fields.get(name, field)
    if name in PARAMETERS:
        spec = PARAMETERS[name]
        kind = "a whole number" if field is not None and field.annotation is int else "a number"
        return (
            f"{name}={value} is not allowed: it must be {kind} from {spec.minimum:g} to "
            f"{spec.maximum:g} {spec.unit} ({spec.meaning})"
        )
    choices = ""
    if field is not None and field.annotation is not None:
        args = getattr(field.annotation, "__args__", None)
        if args:
            choices = f"; choose one of {', '.join(map(str, args))}"
        elif field.annotation is bool:
            choices = "; use true or false"
        elif field.annotation is Policy:
            choices = "; choose allow, avoid or forbid"
    return f"{name}={value} is not allowed ({first['msg']}){choices}"


@functools.lru_cache(maxsize=1)
def _preset_names() -> tuple[str, ...]:
    folder = resources.files("stepfree.profiles").joinpath("presets")
    return tuple(
        sorted(f.name.removesuffix(".toml") for f in folder.iterdir() if f.name.endswith(".toml"))
    )


def preset_names() -> list[str]:
    """Names of the bundled presets."""
    return list(_preset_names())


@functools.cache
def preset(name: str) -> Profile:
    """Load a bundled preset by name (profiles are immutable, so they are cached)."""
    if name not in preset_names():
        raise BadInput(f"unknown profile {name!r}; choose one of {', '.join(preset_names())}")
    text = (
        resources.files("stepfree.profiles")
        .joinpath("presets", f"{name}.toml")
        .read_text(encoding="utf-8")
    )
    return Profile.from_toml(text)


def profile_from_request(
    name: str = "pedestrian",
    overrides: dict[str, str] | None = None,
) -> Profile:
    """A preset with per-request overrides."""
    return preset(name).with_overrides(overrides or {})

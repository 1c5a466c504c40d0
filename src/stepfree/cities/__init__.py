"""City presets: one TOML file per city (names in kk/ru/en, bbox, timezone, languages, winter)."""

from __future__ import annotations

import tomllib
from importlib import resources

from pydantic import BaseModel, Field, ValidationError, field_validator

from stepfree.errors import BadInput


class CityNames(BaseModel):
    kk: str
    ru: str
    en: str


class City(BaseModel):
    """A city preset."""

    key: str
    name: CityNames
    bbox: tuple[float, float, float, float] = Field(description="west, south, east, north (deg)")
    timezone: str
    languages: list[str]
    winter_months: list[int]
    geofabrik_region: str

    @field_validator("bbox")
    @classmethod
    def _bbox_ordered(cls, value: tuple[float, float, float, float]) -> tuple[float, ...]:
        west, south, east, north = value
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise ValueError("bbox must be west < east and south < north, in degrees")
        return value

    @field_validator("winter_months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= month <= 12 for month in value):
            raise ValueError("winter months are 1 to 12")
        return value


def city_names() -> list[str]:
    """Keys of the bundled city presets, sorted."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def city(key: str) -> City:
    """Load a city preset by key (``astana``, ``almaty``, ``helsinki``...)."""
    known = city_names()
    if key not in known:
        raise BadInput(f"unknown city preset {key!r}; known presets: {', '.join(known)}")
    text = resources.files(__name__).joinpath(f"{key}.toml").read_text(encoding="utf-8")
    try:
        return City.model_validate(tomllib.loads(text))
    except ValidationError as error:  # a broken bundled preset is our bug, say which
        raise BadInput(f"city preset {key!r} is invalid: {error}") from error

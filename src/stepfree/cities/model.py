"""The validated model of a city preset (imported only when a preset is loaded)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


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

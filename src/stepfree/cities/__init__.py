"""City presets: one TOML file per city (names in kk/ru/en, bbox, timezone, languages, winter)."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import TYPE_CHECKING

from stepfree.errors import BadInput

if TYPE_CHECKING:
    from stepfree.cities.model import City

# pydantic is imported only when a preset is loaded, so `stepfree build` without --city stays lean


def city_names() -> list[str]:
    """Keys of the bundled city presets, sorted."""
    files = resources.files(__name__).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def city(key: str) -> City:
    """Load a city preset by key (``astana``, ``almaty``, ``helsinki``...)."""
    known = city_names()
    if key not in known:
        raise BadInput(f"unknown city preset {key!r}; known presets: {', '.join(known)}")
    from pydantic import ValidationError

    from stepfree.cities.model import City

    text = resources.files(__name__).joinpath(f"{key}.toml").read_text(encoding="utf-8")
    try:
        return City.model_validate(tomllib.loads(text))
    except ValidationError as error:  # a broken bundled preset is our bug, say which
        raise BadInput(f"city preset {key!r} is invalid: {error}") from error

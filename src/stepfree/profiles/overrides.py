"""Profile settings given by people: ``KEY=VALUE`` on the command line (``--set``) and named
query parameters over HTTP, read by one parser each into the overrides the profile model
validates (`Profile.with_overrides`: ranges, units, a decimal comma)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from stepfree.errors import BadInput
from stepfree.profiles.model import FACETS, facet_of


@cache
def parameter_names() -> frozenset[str]:
    """Every profile parameter, in any facet."""
    return frozenset(name for facet in FACETS.values() for name in facet.model_fields)


def overrides_from_settings(settings: Iterable[str]) -> dict[str, str]:
    """``["max_kerb_height_m=0.04", ...]`` (the CLI's ``--set``) as overrides.

    Raises
    ------
    BadInput
        A setting that is not KEY=VALUE, or names no profile parameter.
    """
    out = {}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or not key.strip():
            raise BadInput(
                f"--set {setting!r} is not KEY=VALUE; for example --set max_kerb_height_m=0.04"
            )
        facet_of(key.strip())  # an unknown name is refused here, listing the known ones
        out[key.strip()] = value.strip()
    return out


def overrides_from_query(query: Mapping[str, str]) -> dict[str, str]:
    """The profile parameters among a query's parameters, as given (the endpoint refuses the
    names it does not know; the profile model validates the values)."""
    names = parameter_names()
    return {name: value for name, value in query.items() if name in names}

"""Hypothesis strategies shared by the profile and routing tests: a text value for every
profile parameter, as a request would give it."""

from __future__ import annotations

import typing

from hypothesis import strategies as st

from stepfree.profiles.model import FACETS, PARAMETERS, Policy


def parameter_values(round_values: bool = False) -> dict[str, st.SearchStrategy[str]]:
    """A strategy of text values for every profile parameter, within its declared range;
    with ``round_values``, the round numbers people type (which select the same ways as
    their neighbours) are drawn often too."""
    out: dict[str, st.SearchStrategy[str]] = {}
    for facet in FACETS.values():
        for name, field in facet.model_fields.items():
            kind = field.annotation
            if name in PARAMETERS:
                spec = PARAMETERS[name]
                if kind is int:
                    out[name] = st.integers(int(spec.minimum), int(spec.maximum)).map(str)
                    continue
                numbers = st.floats(spec.minimum, spec.maximum)
                if round_values:
                    typed = [spec.minimum, spec.default, spec.maximum]
                    typed.append((spec.minimum + spec.maximum) / 7)
                    numbers = st.one_of(st.sampled_from(typed), numbers)
                out[name] = numbers.map(repr)
            elif kind is bool:
                out[name] = st.sampled_from(["true", "false"])
            elif kind is Policy:
                out[name] = st.sampled_from([policy.value for policy in Policy])
            else:  # a Literal of names (surface, smoothness, winter)
                out[name] = st.sampled_from([str(v) for v in typing.get_args(kind)])
    return out

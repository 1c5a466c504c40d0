"""What an answer says besides its steps, in English, Russian or Kazakh: why no route exists
(:func:`explain_block`, :func:`explain_relax`, :func:`explain_no_route`), its warnings
(:func:`warning_text`) and its summary line (:func:`summary_text`). Every text comes from the
gettext catalogues through :mod:`stepfree.routing.narration.i18n`.
"""

from __future__ import annotations

import math

from stepfree.errors import BadInput
from stepfree.routing.narration.i18n import (
    N_,
    capitalized,
    format_distance,
    format_duration,
    format_number,
    format_percent,
    translator,
)

__all__ = [
    "explain_access",
    "explain_block",
    "explain_no_route",
    "explain_relax",
    "summary_text",
    "warning_text",
]

_PLACES = {
    "node": N_("at node %(id)s"),
    "way": N_("on way %(id)s"),
    "relation": N_("in relation %(id)s"),
}
_BLOCKS = {
    "kerb_height_m": N_("Kerb %(value)s m high %(where)s, above your limit of %(limit)s m."),
    "incline_pct": N_("Slope of %(value)s %% %(where)s, steeper than your limit of %(limit)s %%."),
    "width_m": N_("Way %(value)s m wide %(where)s, narrower than your minimum of %(limit)s m."),
    "steps": N_("Steps %(where)s, and your profile avoids steps."),
    "wheelchair": N_("Marked %(tag)s %(where)s, which your profile does not accept."),
    "surface": N_("The surface (%(tag)s) %(where)s is not accepted by your profile."),
    "smoothness": N_(
        "The surface smoothness (%(tag)s) %(where)s is worse than your limit (%(limit_tag)s)."
    ),
    "barrier": N_("A barrier (%(tag)s) %(where)s that your profile cannot pass."),
    "sidewalk": N_(
        "No sidewalk %(where)s (%(tag)s), and your profile needs one along major roads."
    ),
    "winter_service": N_(
        "Not cleared of snow %(where)s (%(tag)s), and your profile needs cleared ways."
    ),
    "elevator_closed": N_("The elevator %(where)s is closed at the time of travel."),
    "report": N_("A barrier was reported %(where)s."),
    "unknown_kerb": N_("Kerb height unknown %(where)s, and your profile avoids unknown kerbs."),
    "unknown_step_count": N_(
        "Number of steps unknown %(where)s, and your profile avoids steps of unknown count."
    ),
    "unknown_incline": N_("Slope unknown %(where)s, and your profile avoids unknown slopes."),
    "unknown_width": N_("Width unknown %(where)s, and your profile avoids unknown widths."),
    "unknown_surface": N_("Surface unknown %(where)s, and your profile avoids unknown surfaces."),
    "access": N_("No access %(where)s (%(tag)s)."),
    "crossing": N_("The crossing %(where)s (%(tag)s) does not meet your profile."),
    "signals_sound": N_(
        "Signal %(where)s not known to be audible (%(tag)s), and your profile needs audible ones."
    ),
    "tactile_paving": N_("No known tactile paving %(where)s (%(tag)s), and your profile needs it."),
}


def _value(value: object, lang: str) -> str:
    """A number in the locale's digits ("0,12" in ru), a flag as the API spells it, else as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return format_number(number, lang, 3) if math.isfinite(number) else text


def _count(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def explain_block(
    attribute: str, value: object, limit: object, osm_type: str, osm_id: int, lang: str
) -> str:
    """Why one element of the map stops a route.

    E.g. "Kerb 0.12 m high at node 5201, above your limit of 0.03 m."

    Parameters
    ----------
    attribute : str
        What blocks: a graph attribute (``kerb_height_m``, ``incline_pct``, ``width_m``,
        ``step_count``, ``surface``, ...) or a reason (``steps``, ``elevator_closed``, ``report``,
        ``unknown_kerb``, ...). Any other gets a generic sentence naming it.
    value, limit : str or number
        The element's value and the profile's limit; numbers (or numeric text) are shown in the
        locale's digits, other values (OSM tag values) as they are.
    osm_type, osm_id : str, int
        The OSM element (``node``, ``way`` or ``relation``) where it is.
    lang : str
        ``"en"``, ``"ru"`` or ``"kk"``.
    """
    t = translator(lang)
    _, ngettext = t.gettext, t.ngettext
    if osm_type not in _PLACES:
        raise BadInput(f"unknown OSM element type {osm_type!r}; choose node, way or relation")
    values = {
        "where": _(_PLACES[osm_type]) % {"id": str(int(osm_id))},  # an id: no digit grouping
        "value": _value(value, lang),
        "limit": _value(limit, lang),
        "tag": f"{attribute}={value}",
        "limit_tag": f"{attribute}={limit}",
        "attribute": attribute,
    }
    count = _count(value)
    if attribute == "step_count" and count is not None:
        text = ngettext(
            "%(value)s step %(where)s, more than your limit of %(limit)s.",
            "%(value)s steps %(where)s, more than your limit of %(limit)s.",
            count,
        )
    elif attribute == "elevator_closed" and isinstance(value, str) and value.strip():
        text = _("The elevator %(where)s is closed at the time of travel (hours: %(value)s).")
    elif attribute in _BLOCKS:
        text = _(_BLOCKS[attribute])
    else:
        text = _("Blocked %(where)s: %(attribute)s is %(value)s, your limit is %(limit)s.")
    return capitalized(text % values)


def setting_text(parameter: str, value: object) -> str:
    """``parameter=value`` exactly as ``--set`` and the query take it: a dot for decimals, no
    digit grouping, flags as ``true``/``false``, whatever the language of the sentence."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:.6f}".rstrip("0").rstrip(".") if math.isfinite(value) else str(value)
    else:
        text = str(value)
    return f"{parameter}={text}"


def explain_relax(parameter: str, value: object, lang: str) -> str:
    """Which profile change finds a route: "A route exists if you set max_kerb_height_m=0.12."

    The setting is written as ``--set`` and the query accept it (`setting_text`), in every
    language, so it can be pasted.
    """
    _ = translator(lang).gettext
    return _("A route exists if you set %(setting)s.") % {"setting": setting_text(parameter, value)}


_ACCESS = {
    "origin": N_(
        "The start is %(distance)s from the nearest way your profile can use, more than the "
        "%(limit)s of unmapped ground it accepts."
    ),
    "destination": N_(
        "The destination is %(distance)s from the nearest way your profile can use, more "
        "than the %(limit)s of unmapped ground it accepts."
    ),
}
_ACCESS_NONE = {
    "origin": N_("No way your profile can use lies within %(limit)s of the start."),
    "destination": N_("No way your profile can use lies within %(limit)s of the destination."),
}


def explain_access(role: str, nearest_m: float | None, limit_m: float, lang: str) -> str:
    """Why an end is refused: the nearest usable way is further than the profile's reach
    across unmapped ground (``role``: ``origin`` or ``destination``; ``nearest_m`` None when
    there is none nearby)."""
    if role not in _ACCESS:
        raise BadInput(f"unknown end {role!r}; choose origin or destination")
    _ = translator(lang).gettext

    def metres(value: float) -> str:
        return _("%(value)s m") % {"value": format_number(value, lang, 0)}

    limit = metres(limit_m)
    if nearest_m is None:
        return _(_ACCESS_NONE[role]) % {"limit": limit}
    values = {"distance": metres(nearest_m), "limit": limit}
    return _(_ACCESS[role]) % values


def explain_no_route(lang: str) -> str:
    """The first line of a refusal: "No route fits your profile."."""
    return translator(lang).gettext("No route fits your profile.")


_WARNINGS: dict[str, tuple[str | None, str]] = {  # code: (the value it needs, message)
    "unknown_kerb": (None, N_("Some kerbs on this route have unknown height.")),
    "unknown_incline": (None, N_("Some slopes on this route have unknown steepness.")),
    "unknown_width": (None, N_("Some parts of this route have unknown width.")),
    "unknown_surface": (None, N_("Some parts of this route have an unknown surface.")),
    "unlit": (None, N_("Parts of this route are not lit at night.")),
    "winter_unserviced": (None, N_("Parts of this route are not cleared of snow in winter.")),
    "rough_surface": (None, N_("Parts of this route have a rough surface.")),
    "elevator_hours_unknown": (None, N_("An elevator on this route has unknown opening hours.")),
    "low_confidence": (
        "percent",
        N_("The map knows only %(percent)s of what matters for your profile on this route."),
    ),
    "detour": (
        "factor",
        N_("This route is %(factor)s times as long as the shortest walking route."),
    ),
    "access_origin": (
        "metres",
        N_("The start is %(metres)s from the mapped network; that stretch is unknown ground."),
    ),
    "access_destination": (
        "metres",
        N_(
            "The destination is %(metres)s from the mapped network; that stretch is unknown ground."
        ),
    ),
}


def warning_text(code: str, lang: str, **values: float) -> str:
    """The sentence for a route warning.

    ``low_confidence`` needs ``percent`` (0-100), ``detour`` needs ``factor`` (route length over
    the shortest walk), ``access_origin`` and ``access_destination`` need ``metres``; the
    other codes take no values.

    Raises
    ------
    BadInput
        An unknown language or code, or values missing or not expected for the code.
    """
    _ = translator(lang).gettext
    if code not in _WARNINGS:
        raise BadInput(f"unknown warning code {code!r}; choose one of {', '.join(_WARNINGS)}")
    needed, message = _WARNINGS[code]
    if set(values) != ({needed} if needed else set()):
        wanted = f"{needed}=<number>" if needed else "no values"
        raise BadInput(f"warning {code!r} takes {wanted}, got {sorted(values) or 'none'}")
    if needed is None:
        return _(message)
    number = values[needed]
    text = {
        "percent": lambda: format_percent(number, lang),
        "factor": lambda: format_number(number, lang, 1, 1),
        "metres": lambda: format_distance(number, lang),
    }[needed]()
    return _(message) % {needed: text}


def summary_text(
    length_m: float,
    duration_s: float,
    confidence: float | None,
    detour_factor: float | None,
    lang: str,
) -> str:
    """The route in a few words.

    E.g. "1.2 km, about 15 min. The map knows 85 % of what matters for your profile on this
    route. 1.3 times the shortest walking distance." ``confidence`` is a share in [0, 1];
    ``None`` for it (or for the detour factor) leaves that sentence out.
    """
    _ = translator(lang).gettext
    values = {
        "distance": format_distance(length_m, lang),
        "duration": format_duration(duration_s, lang),
    }
    if length_m < 0.5:  # the same place: no distance nor time to speak of
        texts = [_("The start and the destination are the same place.")]
    elif duration_s < 30:  # rounds to no minute: "about 1 min" would overstate it
        texts = [_("%(distance)s, under a minute.") % values]
    else:
        texts = [_("%(distance)s, about %(duration)s.") % values]
    if confidence is not None:
        if not 0 <= confidence <= 1:
            raise BadInput(f"confidence must be between 0 and 1, got {confidence!r}")
        percent = format_percent(confidence * 100, lang)
        text = _("The map knows %(percent)s of what matters for your profile on this route.")
        texts.append(text % {"percent": percent})
    if detour_factor is not None:
        factor = format_number(detour_factor, lang, 1, 1)
        texts.append(_("%(factor)s times the shortest walking distance.") % {"factor": factor})
    return " ".join(texts)

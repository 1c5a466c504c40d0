"""What a person hears or reads about a route's steps, in English, Russian or Kazakh.

:func:`narrate` turns the steps of a route into one sentence group per step (the refusal,
warning and summary texts are in :mod:`stepfree.routing.narration.texts`). Every text comes
from the gettext catalogues through :mod:`stepfree.routing.narration.i18n`; see its docstring
for how to update them.

Street names are used in the nominative wherever the language allows: Kazakh says "Абай даңғылы
бойымен" (along Abay Avenue) and "Абай даңғылы арқылы" (across it); Russian needs the dative or
accusative ("по проспекту Абая", "на улицу Кенесары"), which :func:`~.i18n.russian_case` forms for
the usual street types and otherwise leaves the name as it is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from stepfree.errors import BadInput
from stepfree.routing.narration.i18n import (
    N_,
    Translator,
    capitalized,
    format_distance,
    format_height,
    format_number,
    format_percent,
    russian_case,
    translator,
)

__all__ = ["STEEP_INCLINE_PCT", "STEP_KINDS", "GuidanceStep", "narrate"]

#: A slope steeper than this is announced as steep: 1:12, the steepest ramp run the 2010 ADA
#: Standards allow (405.2); the same limit appears in many national ramp rules.
STEEP_INCLINE_PCT = 100 / 12


@dataclass(slots=True)
class GuidanceStep:
    """One piece of a route, as :func:`narrate` words it.

    Not frozen: a route builds a few dozen, and a frozen dataclass of this many fields costs
    microseconds each to construct; nothing changes a step once narrated.

    ``kind`` is one of :data:`STEP_KINDS`. Categorical fields take the OSM-like values named in
    the comments; a value we do not recognise is spoken as unknown, never guessed.
    """

    kind: str
    distance_m: float = 0.0  # walked in this step (continue/turn/depart/slope)
    names: Mapping[str, str] = field(default_factory=dict)  # "" = local name, else "kk"/"ru"/"en"
    way_kind: str = ""  # sidewalk | footway | path | pedestrian | road | crossing | steps | ...
    side: str | None = None  # "left" | "right": side of the street walked, when known
    crossing_control: str | None = None  # traffic_signals | marked | unmarked | unknown
    crossing_names: Mapping[str, str] = field(default_factory=dict)  # the road crossed
    audible: str | None = None  # "yes" | "no" | "unknown": audible signal at a signalled crossing
    tactile: str | None = None  # "yes" | "no" | "unknown": tactile paving
    island: bool = False
    kerb: str | None = None  # raised | lowered | flush | rolled | unknown
    kerb_height_m: float | None = None
    step_count: int | None = None
    direction: str | None = None  # "up" | "down" (steps, slope, elevator)
    handrail: str | None = None  # "yes" | "no" | "unknown"
    incline_pct: float | None = None  # steepness in the direction walked (signed)
    barrier: str | None = None  # bollard | gate | lift_gate | turnstile | kissing_gate | ...
    level_from: str | None = None
    level_to: str | None = None


def narrate(steps: Iterable[GuidanceStep], lang: str, guidance: bool = False) -> list[str]:
    """The spoken text of each step, one string (one or more sentences) per step.

    Parameters
    ----------
    steps : iterable of GuidanceStep
        The route, in walking order.
    lang : str
        ``"en"``, ``"ru"`` or ``"kk"``.
    guidance : bool
        Announce what a blind or low-vision person navigates by: whether a signal is audible and
        whether tactile paving marks a crossing.

    Raises
    ------
    BadInput
        An unknown language or step kind.
    """
    t = translator(lang)
    texts = []
    for step in steps:
        speak = _NARRATORS.get(step.kind)
        if speak is None:
            raise BadInput(
                f"unknown step kind {step.kind!r}; choose one of {', '.join(STEP_KINDS)}"
            )
        texts.append(" ".join(capitalized(sentence) for sentence in speak(step, t, guidance)))
    return texts


def _name(names: Mapping[str, str], lang: str) -> str:
    """The name in ``lang``, else the local name, else ``""``."""
    return (names.get(lang) or names.get("") or "").strip()


def _declined(name: str, case: str, lang: str) -> str:
    return russian_case(name, case) if lang == "ru" else name


def _way(step: GuidanceStep, t: Translator, onto: bool) -> str:
    """The way walked: "on Abay Avenue" / "onto Kenesary Street" / "on the sidewalk"."""
    _ = t.gettext
    name = _name(step.names, t.lang)
    if name and onto:
        # TRANSLATORS: after a turn, as in "Turn left onto Kenesary Street". ru: "на" + accusative
        # (the code declines the name); kk: "%(name)s бойымен" (the turn itself is "бұрылып").
        return _("onto %(name)s") % {"name": _declined(name, "acc", t.lang)}
    if name:
        # TRANSLATORS: along a named street, as in "Continue on Abay Avenue". ru: "по" + dative
        # (the code declines the name); kk: "%(name)s бойымен".
        return _("on %(name)s") % {"name": _declined(name, "dat", t.lang)}
    table = _ONTO if onto else _ALONG
    return _(table.get(step.way_kind, table[""]))


# TRANSLATORS: the way walked when it has no name. ru: "по" + dative; kk: "... бойымен".
_ALONG = {
    "sidewalk": N_("on the sidewalk"),
    "footway": N_("on the footway"),
    "path": N_("on the path"),
    "pedestrian": N_("on the pedestrian street"),
    "road": N_("along the road"),
    "crossing": N_("over the crossing"),
    "steps": N_("on the stairs"),
    "corridor": N_("along the corridor"),
    "platform": N_("along the platform"),
    "elevator": N_("in the elevator"),
    "living_street": N_("through the residential zone"),
    "": N_("along the walkway"),
}
# TRANSLATORS: the way turned onto when it has no name. ru: "на"/"в" + accusative; kk: as for
# "on the sidewalk" ("тротуар бойымен"), since the turn is "бұрылып".
_ONTO = {
    "sidewalk": N_("onto the sidewalk"),
    "footway": N_("onto the footway"),
    "path": N_("onto the path"),
    "pedestrian": N_("onto the pedestrian street"),
    "road": N_("onto the road"),
    "crossing": N_("onto the crossing"),
    "steps": N_("onto the stairs"),
    "corridor": N_("into the corridor"),
    "platform": N_("onto the platform"),
    "elevator": N_("into the elevator"),
    "living_street": N_("into the residential zone"),
    "": N_("onto the walkway"),
}
_TURNS = {
    "turn_left": N_("Turn left %(onto)s and go %(distance)s."),
    "turn_right": N_("Turn right %(onto)s and go %(distance)s."),
    "turn_slight_left": N_("Turn slightly left %(onto)s and go %(distance)s."),
    "turn_slight_right": N_("Turn slightly right %(onto)s and go %(distance)s."),
    "turn_sharp_left": N_("Turn sharp left %(onto)s and go %(distance)s."),
    "turn_sharp_right": N_("Turn sharp right %(onto)s and go %(distance)s."),
}
_SIDES = {"left": N_("Keep to the left side."), "right": N_("Keep to the right side.")}
_CONTROLS = {
    "traffic_signals": N_("Cross %(road)s at the traffic lights."),
    "marked": N_("Cross %(road)s at the marked crossing."),
    "unmarked": N_("Cross %(road)s at the unmarked crossing."),
    "": N_("Cross %(road)s (crossing control unknown)."),
}
_AUDIBLE = {
    "yes": N_("The signal is audible."),
    "no": N_("The signal has no sound."),
    "": N_("It is not known whether the signal is audible."),
}
_TACTILE = {
    "yes": N_("Tactile paving marks the crossing."),
    "no": N_("No tactile paving here."),
    "": N_("Tactile paving is not mapped here."),
}
_KERBS = {
    "lowered": N_("Lowered kerb."),
    "raised": N_("Raised kerb."),
    "rolled": N_("Rolled kerb."),
    "": N_("Kerb of unknown height."),
}
_KERB_HEIGHTS = {
    "lowered": N_("Lowered kerb, %(height)s."),
    "raised": N_("Raised kerb, %(height)s."),
    "rolled": N_("Rolled kerb, %(height)s."),
    "": N_("Kerb %(height)s high."),
}
_UNCOUNTED_STEPS = {
    "up": N_("Go up steps (count unknown)."),
    "down": N_("Go down steps (count unknown)."),
    "": N_("Steps ahead (count unknown)."),
}
_HANDRAILS = {
    "yes": N_("There is a handrail."),
    "no": N_("There is no handrail."),
    "": N_("It is not known whether there is a handrail."),
}
_SLOPES_UNKNOWN = {
    "up": N_("Slope up of unknown steepness, for %(distance)s."),
    "down": N_("Slope down of unknown steepness, for %(distance)s."),
    "": N_("Slope of unknown steepness, for %(distance)s."),
}
_BARRIERS = {
    "bollard": N_("Pass the bollards."),
    "gate": N_("Pass the gate."),
    "lift_gate": N_("Pass the lift gate."),
    "turnstile": N_("Pass the turnstile."),
    "kissing_gate": N_("Pass the kissing gate."),
    "stile": N_("Cross the stile."),
    "cycle_barrier": N_("Pass the cycle barrier."),
    "block": N_("Pass the concrete blocks."),
    "": N_("Pass the barrier."),
}
_ARRIVALS = {
    "left": N_("You have arrived; the destination is on your left."),
    "right": N_("You have arrived; the destination is on your right."),
    "": N_("You have arrived."),
}


def _pick(table: Mapping[str, str], key: str | None) -> str:
    """The entry for ``key``; anything unrecognised (or ``None``) is the unknown entry ``""``."""
    return table.get(key or "", table[""])


def _depart(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    values = {"along": _way(step, t, False), "distance": format_distance(step.distance_m, t.lang)}
    if step.distance_m <= 0:  # the route starts with a crossing, a kerb or steps
        return [_("Start %(along)s.") % values]
    if step.side == "left":
        return [_("Start %(along)s, on the left side, and go %(distance)s.") % values]
    if step.side == "right":
        return [_("Start %(along)s, on the right side, and go %(distance)s.") % values]
    return [_("Start %(along)s and go %(distance)s.") % values]


def _continue(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    values = {"along": _way(step, t, False), "distance": format_distance(step.distance_m, t.lang)}
    side = [_(_SIDES[step.side])] if step.side in _SIDES else []
    return [_("Continue %(along)s for %(distance)s.") % values, *side]


def _turn(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    values = {"onto": _way(step, t, True), "distance": format_distance(step.distance_m, t.lang)}
    side = [_(_SIDES[step.side])] if step.side in _SIDES else []
    return [_(_TURNS[step.kind]) % values, *side]


def _cross(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    name = _name(step.crossing_names, t.lang)
    # TRANSLATORS: the road crossed when it has no name. ru: accusative ("дорогу").
    road = _declined(name, "acc", t.lang) if name else _("the road")
    text = [_(_pick(_CONTROLS, step.crossing_control)) % {"road": road}]
    if step.island:
        text.append(_("There is a refuge island in the middle."))
    if guidance and step.crossing_control == "traffic_signals":
        text.append(_(_pick(_AUDIBLE, step.audible)))
    if guidance:
        text.append(_(_pick(_TACTILE, step.tactile)))
    return text


def _kerb(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    height = step.kerb_height_m
    if step.kerb == "flush":
        return [_("Flush kerb.")]
    if height is None or not math.isfinite(height) or height < 0:
        return [_(_pick(_KERBS, step.kerb))]
    return [_(_pick(_KERB_HEIGHTS, step.kerb)) % {"height": format_height(height, t.lang)}]


def _steps(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _, ngettext = t.gettext, t.ngettext
    count = step.step_count
    if count is not None and count > 0:
        values = {"count": format_number(count, t.lang, 0)}
        if step.direction == "up":
            text = ngettext("Go up %(count)s step.", "Go up %(count)s steps.", count)
        elif step.direction == "down":
            text = ngettext("Go down %(count)s step.", "Go down %(count)s steps.", count)
        else:
            text = ngettext("%(count)s step ahead.", "%(count)s steps ahead.", count)
        text %= values
    else:
        text = _(_pick(_UNCOUNTED_STEPS, step.direction))
    return [text, _(_pick(_HANDRAILS, step.handrail))]


def _elevator(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    if step.level_from and step.level_to:
        levels = {"level_from": step.level_from, "level_to": step.level_to}
        return [_("Take the elevator from level %(level_from)s to level %(level_to)s.") % levels]
    if step.level_to:
        return [_("Take the elevator to level %(level)s.") % {"level": step.level_to}]
    if step.direction == "up":
        return [_("Take the elevator up.")]
    if step.direction == "down":
        return [_("Take the elevator down.")]
    return [_("Take the elevator.")]


def _slope(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    _ = t.gettext
    distance = format_distance(step.distance_m, t.lang)
    incline = step.incline_pct
    if incline is None or not math.isfinite(incline):
        return [_(_pick(_SLOPES_UNKNOWN, step.direction)) % {"distance": distance}]
    values = {"percent": format_percent(abs(incline), t.lang), "distance": distance}
    steep = abs(incline) > STEEP_INCLINE_PCT
    if incline > 0 and steep:
        return [_("Steep slope up, %(percent)s, for %(distance)s.") % values]
    if incline > 0:
        return [_("Slope up, %(percent)s, for %(distance)s.") % values]
    if incline < 0 and steep:
        return [_("Steep slope down, %(percent)s, for %(distance)s.") % values]
    if incline < 0:
        return [_("Slope down, %(percent)s, for %(distance)s.") % values]
    return [_("Level ground, for %(distance)s.") % values]


def _barrier(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    return [t.gettext(_pick(_BARRIERS, step.barrier))]


def _arrive(step: GuidanceStep, t: Translator, guidance: bool) -> list[str]:
    return [t.gettext(_pick(_ARRIVALS, step.side))]


_NARRATORS: dict[str, Callable[[GuidanceStep, Translator, bool], list[str]]] = {
    "depart": _depart,
    "continue": _continue,
    **dict.fromkeys(_TURNS, _turn),
    "cross": _cross,
    "kerb": _kerb,
    "steps": _steps,
    "elevator": _elevator,
    "slope": _slope,
    "barrier": _barrier,
    "arrive": _arrive,
}
#: The step kinds :func:`narrate` knows.
STEP_KINDS: tuple[str, ...] = tuple(_NARRATORS)

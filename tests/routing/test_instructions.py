"""Guidance sentences: every step kind in English, Russian and Kazakh, and the refusal texts."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

import stepfree
from stepfree.errors import BadInput
from stepfree.profiles.model import facet_of, profile_from_request
from stepfree.routing.narration.i18n import LANGUAGES
from stepfree.routing.narration.instructions import STEP_KINDS, GuidanceStep, narrate
from stepfree.routing.narration.texts import (
    explain_block,
    explain_no_route,
    explain_relax,
    summary_text,
    warning_text,
)

from worlds import World

ABAY = {"": "Абай даңғылы", "kk": "Абай даңғылы", "ru": "проспект Абая", "en": "Abay Avenue"}
KENESARY = {"": "Кенесары көшесі", "ru": "улица Кенесары", "en": "Kenesary Street"}
LOCAL_ONLY = {"": "Сарыарқа даңғылы"}
NAMES = ("Abay Avenue", "Kenesary Street", "Абай даңғылы", "Кенесары көшесі", "Сарыарқа даңғылы")
LATIN = re.compile("[A-Za-z]")

#: One step of each kind, with names and details set, for the all-languages checks.
SAMPLES = {
    "depart": GuidanceStep("depart", 120, ABAY, "sidewalk", side="left"),
    "continue": GuidanceStep("continue", 200, way_kind="sidewalk"),
    "turn_left": GuidanceStep("turn_left", 80, KENESARY, "sidewalk"),
    "turn_right": GuidanceStep("turn_right", 80, KENESARY, "footway"),
    "turn_slight_left": GuidanceStep("turn_slight_left", 35, way_kind="path"),
    "turn_slight_right": GuidanceStep("turn_slight_right", 35, LOCAL_ONLY, "pedestrian"),
    "turn_sharp_left": GuidanceStep("turn_sharp_left", 15, way_kind="corridor"),
    "turn_sharp_right": GuidanceStep(
        "turn_sharp_right", 15, way_kind="living_street", side="right"
    ),
    "cross": GuidanceStep(
        "cross",
        crossing_names=ABAY,
        crossing_control="traffic_signals",
        audible="yes",
        tactile="yes",
        island=True,
    ),
    "kerb": GuidanceStep("kerb", kerb="lowered", kerb_height_m=0.02),
    "steps": GuidanceStep("steps", step_count=12, direction="up", handrail="yes"),
    "elevator": GuidanceStep("elevator", level_from="0", level_to="1"),
    "slope": GuidanceStep("slope", 30, incline_pct=9.0, direction="up"),
    "barrier": GuidanceStep("barrier", barrier="bollard"),
    "arrive": GuidanceStep("arrive", side="left"),
}
#: What the brief lists; narrate must know each.
BRIEF_KINDS = [
    "depart",
    "continue",
    "turn_left",
    "turn_right",
    "turn_slight_left",
    "turn_slight_right",
    "turn_sharp_left",
    "turn_sharp_right",
    "cross",
    "kerb",
    "steps",
    "elevator",
    "slope",
    "barrier",
    "arrive",
]


def say(step: GuidanceStep, lang: str, guidance: bool = False) -> str:
    (text,) = narrate([step], lang, guidance=guidance)
    return text


def test_every_kind_is_known_and_sampled() -> None:
    assert sorted(STEP_KINDS) == sorted(BRIEF_KINDS) == sorted(SAMPLES)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", BRIEF_KINDS)
def test_every_kind_narrates_in_every_language(kind: str, lang: str) -> None:
    text = say(SAMPLES[kind], lang)
    assert text[0].isupper() or text[0].isdigit()
    assert text.endswith(".")
    assert "%(" not in text
    assert "  " not in text
    if lang != "en":
        assert text != say(SAMPLES[kind], "en"), "translation fell back to English"


def test_narrate_gives_one_text_per_step() -> None:
    texts = narrate(SAMPLES.values(), "ru")
    assert len(texts) == len(SAMPLES)


def test_english_sentences() -> None:
    assert say(SAMPLES["depart"], "en") == "Start on Abay Avenue, on the left side, and go 120 m."
    assert (
        say(GuidanceStep("depart", 40, way_kind="footway"), "en")
        == "Start on the footway and go 40 m."
    )
    assert say(SAMPLES["turn_left"], "en") == "Turn left onto Kenesary Street and go 80 m."
    assert say(SAMPLES["continue"], "en") == "Continue on the sidewalk for 200 m."
    assert say(SAMPLES["kerb"], "en") == "Lowered kerb, 2 cm."
    assert (
        say(GuidanceStep("kerb", kerb="raised", kerb_height_m=0.12), "en") == "Raised kerb, 12 cm."
    )
    assert say(GuidanceStep("kerb", kerb="flush"), "en") == "Flush kerb."
    assert say(GuidanceStep("kerb"), "en") == "Kerb of unknown height."
    assert say(GuidanceStep("kerb", kerb="other"), "en") == "Kerb of unknown height."
    assert say(SAMPLES["steps"], "en") == "Go up 12 steps. There is a handrail."
    assert say(GuidanceStep("steps", direction="down", handrail="no"), "en") == (
        "Go down steps (count unknown). There is no handrail."
    )
    assert say(SAMPLES["elevator"], "en") == "Take the elevator from level 0 to level 1."
    assert say(GuidanceStep("elevator"), "en") == "Take the elevator."
    assert say(SAMPLES["slope"], "en") == "Steep slope up, 9 %, for 30 m."
    assert say(GuidanceStep("slope", 50, incline_pct=-6.0), "en") == "Slope down, 6 %, for 50 m."
    assert say(GuidanceStep("slope", 50), "en") == "Slope of unknown steepness, for 50 m."
    assert say(SAMPLES["barrier"], "en") == "Pass the bollards."
    assert say(GuidanceStep("barrier", barrier="gate"), "en") == "Pass the gate."
    assert say(GuidanceStep("barrier", barrier="other"), "en") == "Pass the barrier."
    assert say(GuidanceStep("arrive"), "en") == "You have arrived."
    assert say(SAMPLES["arrive"], "en") == "You have arrived; the destination is on your left."


def test_crossing_sentences_in_english() -> None:
    cross = SAMPLES["cross"]
    assert say(cross, "en") == (
        "Cross Abay Avenue at the traffic lights. There is a refuge island in the middle."
    )
    for control, words in [
        ("marked", "at the marked crossing."),
        ("unmarked", "at the unmarked crossing."),
        (None, "(crossing control unknown)."),
        ("unknown", "(crossing control unknown)."),
    ]:
        step = GuidanceStep("cross", crossing_control=control)
        assert say(step, "en") == f"Cross the road {words}"


def test_russian_sentences_decline_street_names() -> None:
    assert say(SAMPLES["depart"], "ru") == (
        "Начните движение по проспекту Абая, по левой стороне, и пройдите 120 м."
    )
    assert say(SAMPLES["turn_left"], "ru") == "Поверните налево на улицу Кенесары и пройдите 80 м."
    assert say(SAMPLES["continue"], "ru") == "Продолжайте идти по тротуару 200 м."
    assert (
        say(SAMPLES["turn_sharp_left"], "ru") == "Резко поверните налево в коридор и пройдите 15 м."
    )
    assert say(SAMPLES["cross"], "ru").startswith("Перейдите проспект Абая на светофоре.")
    assert say(GuidanceStep("cross", crossing_control="marked"), "ru") == (
        "Перейдите дорогу по переходу с разметкой."
    )


def test_kazakh_sentences_keep_names_in_the_nominative() -> None:
    assert say(SAMPLES["depart"], "kk") == (
        "Жолды бастаңыз: Абай даңғылы бойымен, сол жақпен, 120 м жүріңіз."
    )
    assert say(SAMPLES["turn_left"], "kk") == "Солға бұрылып, Кенесары көшесі бойымен 80 м жүріңіз."
    assert say(SAMPLES["continue"], "kk") == "Тротуар бойымен 200 м жүре беріңіз."
    assert say(GuidanceStep("depart", 40, way_kind="footway"), "kk") == (
        "Жолды бастаңыз: жаяу жүргіншілер жолы бойымен 40 м жүріңіз."
    )
    assert say(SAMPLES["cross"], "kk").startswith(
        "Абай даңғылы арқылы бағдаршамы бар өткелмен өтіңіз."
    )
    assert say(SAMPLES["arrive"], "kk") == "Сіз межелі жерге жеттіңіз; ол сол жағыңызда."


def test_name_in_the_requested_language_else_local() -> None:
    assert "Abay Avenue" in say(SAMPLES["depart"], "en")
    assert "проспекту Абая" in say(SAMPLES["depart"], "ru")
    assert "Абай даңғылы" in say(SAMPLES["depart"], "kk")
    # Kenesary has no kk name: Kazakh falls back to the local name
    assert "Кенесары көшесі" in say(SAMPLES["turn_left"], "kk")
    only_local = GuidanceStep("continue", 60, LOCAL_ONLY, "sidewalk")
    for lang in LANGUAGES:
        assert "Сарыарқа даңғылы" in say(only_local, lang)
    assert "Abay Avenue" in say(SAMPLES["cross"], "en")
    assert "Kenesary" not in say(SAMPLES["turn_left"], "ru")


def test_without_a_name_the_way_is_described() -> None:
    assert (
        say(GuidanceStep("continue", 60, way_kind="footway"), "en")
        == "Continue on the footway for 60 m."
    )
    assert say(GuidanceStep("continue", 60, way_kind="footway"), "ru") == (
        "Продолжайте идти по пешеходной дорожке 60 м."
    )
    assert say(GuidanceStep("continue", 60, way_kind="footway"), "kk") == (
        "Жаяу жүргіншілер жолы бойымен 60 м жүре беріңіз."
    )
    assert say(GuidanceStep("continue", 60, way_kind="cycleway"), "en") == (
        "Continue along the walkway for 60 m."
    )


@pytest.mark.parametrize(
    ("count", "ru", "kk"),
    [
        (1, "Поднимитесь на 1 ступеньку.", "1 баспалдақ жоғары көтеріліңіз."),
        (3, "Поднимитесь на 3 ступеньки.", "3 баспалдақ жоғары көтеріліңіз."),
        (5, "Поднимитесь на 5 ступенек.", "5 баспалдақ жоғары көтеріліңіз."),
        (11, "Поднимитесь на 11 ступенек.", "11 баспалдақ жоғары көтеріліңіз."),
        (12, "Поднимитесь на 12 ступенек.", "12 баспалдақ жоғары көтеріліңіз."),
        (21, "Поднимитесь на 21 ступеньку.", "21 баспалдақ жоғары көтеріліңіз."),
        (24, "Поднимитесь на 24 ступеньки.", "24 баспалдақ жоғары көтеріліңіз."),
    ],
)
def test_plural_forms_of_steps(count: int, ru: str, kk: str) -> None:
    step = GuidanceStep("steps", step_count=count, direction="up", handrail="yes")
    assert say(step, "ru") == f"{ru} Есть поручень."
    assert say(step, "kk") == f"{kk} Тұтқа бар."
    assert say(step, "en").startswith(f"Go up {count} step{'s' if count != 1 else ''}.")


def test_plural_forms_without_direction() -> None:
    assert say(GuidanceStep("steps", step_count=1), "ru").startswith("Впереди 1 ступенька.")
    assert say(GuidanceStep("steps", step_count=3), "ru").startswith("Впереди 3 ступеньки.")
    assert say(GuidanceStep("steps", step_count=5), "ru").startswith("Впереди 5 ступенек.")
    assert say(GuidanceStep("steps", step_count=5), "kk").startswith("Алда 5 баспалдақ бар.")


def test_numbers_in_the_locale() -> None:
    long_walk = GuidanceStep("continue", 1234, way_kind="sidewalk")
    assert say(long_walk, "en") == "Continue on the sidewalk for 1.2 km."
    assert say(long_walk, "ru") == "Продолжайте идти по тротуару 1,2 км."
    assert say(long_walk, "kk") == "Тротуар бойымен 1,2 км жүре беріңіз."
    kerb = GuidanceStep("kerb", kerb="rolled", kerb_height_m=0.045)
    assert say(kerb, "ru") == "Скошенный бордюр, 4,5 см."
    assert (
        say(GuidanceStep("slope", 30, incline_pct=-7.46), "ru") == "Спуск, 7 %, на протяжении 30 м."
    )


def test_guidance_adds_audible_signal_and_tactile_paving() -> None:
    cross = SAMPLES["cross"]
    plain = say(cross, "en", guidance=False)
    guided = say(cross, "en", guidance=True)
    assert "signal" not in plain
    assert "Tactile" not in plain
    assert guided == plain + " The signal is audible. Tactile paving marks the crossing."
    silent = dataclasses.replace(cross, audible="no", tactile="no")
    assert say(silent, "en", True).endswith("The signal has no sound. No tactile paving here.")
    unknown = dataclasses.replace(cross, audible=None, tactile="unknown")
    assert say(unknown, "en", True).endswith(
        "It is not known whether the signal is audible. Tactile paving is not mapped here."
    )
    assert say(cross, "ru", True).endswith(
        "У светофора есть звуковой сигнал. Переход обозначен тактильной плиткой."
    )
    assert say(cross, "kk", True).endswith(
        "Бағдаршамның дыбыстық сигналы бар. Өткел тактильді плиткамен белгіленген."
    )
    # no signal, no talk of its sound; tactile paving is still announced
    marked = GuidanceStep("cross", crossing_control="marked", tactile="yes")
    assert say(marked, "en", True) == (
        "Cross the road at the marked crossing. Tactile paving marks the crossing."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_guidance_changes_only_crossings(lang: str) -> None:
    others = [step for kind, step in SAMPLES.items() if kind != "cross"]
    assert narrate(others, lang, guidance=True) == narrate(others, lang, guidance=False)


def test_kazakh_text_is_cyrillic() -> None:
    steps = [
        *SAMPLES.values(),
        GuidanceStep("cross", crossing_control="unmarked", audible="no", tactile="no"),
        GuidanceStep("steps", direction="down", handrail="unknown"),
        GuidanceStep("slope", 10, incline_pct=-12.0),
        GuidanceStep("depart", 0),
    ]
    for text in narrate(steps, "kk", guidance=True):
        for name in NAMES:
            text = text.replace(name, "")
        assert not LATIN.search(text), text


@pytest.mark.parametrize("bad", ["fr", "kz", ""])
def test_unknown_language_is_bad_input(bad: str) -> None:
    with pytest.raises(BadInput, match=f"unknown language {bad!r}; choose en, ru or kk"):
        narrate([SAMPLES["arrive"]], bad)


def test_unknown_step_kind_is_bad_input() -> None:
    with pytest.raises(BadInput, match="unknown step kind 'jump'; choose one of depart"):
        narrate([GuidanceStep("jump")], "en")


BLOCKS = [
    ("kerb_height_m", "0.12", "0.03", "Kerb 0.12 m high at node 5201, above your limit of 0.03 m."),
    ("incline_pct", 9.5, 6, "Slope of 9.5 % at node 5201, steeper than your limit of 6 %."),
    ("width_m", "0.7", "0.9", None),
    ("step_count", 5, 2, "5 steps at node 5201, more than your limit of 2."),
    ("steps", 5, 0, None),
    ("wheelchair", "no", True, None),
    ("surface", "gravel", "paved", None),
    ("smoothness", "bad", "intermediate", None),
    ("barrier", "stile", "forbidden", None),
    ("sidewalk", "no", "forbidden", None),
    ("winter_service", "no", "forbidden", None),
    ("elevator_closed", "", "closed at the time of travel", None),
    ("report", "", "", "A barrier was reported at node 5201."),
    ("unknown_kerb", "unknown", "forbid", None),
    ("unknown_incline", "unknown", "forbid", None),
    ("unknown_width", "unknown", "forbid", None),
    ("unknown_surface", "unknown", "forbid", None),
    ("access", "private", "forbidden", "No access at node 5201 (access=private)."),
    ("crossing", "no", "forbidden", None),
    ("mystery", "7", "3", "Blocked at node 5201: mystery is 7, your limit is 3."),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("attribute", "value", "limit", "english"), BLOCKS)
def test_explain_block(
    attribute: str, value: object, limit: object, english: str | None, lang: str
) -> None:
    text = explain_block(attribute, value, limit, "node", 5201, lang)
    assert "5201" in text
    assert text[0].isupper() or text[0].isdigit()
    if lang == "en" and english:
        assert text == english
    if lang == "kk":
        assert not LATIN.search(re.sub(r"\w+=[\w.]+|mystery", "", text)), text


def test_explain_block_in_russian_and_kazakh() -> None:
    assert explain_block("kerb_height_m", "0.12", "0.03", "node", 5201, "ru") == (
        "Бордюр высотой 0,12 м в узле 5201 — выше вашего предела 0,03 м."
    )
    assert explain_block("kerb_height_m", 0.12, 0.03, "node", 5201, "kk") == (
        "5201 түйінінде жиек тастың биіктігі 0,12 м, бұл сіздің шегіңізден (0,03 м) жоғары."
    )
    assert explain_block("step_count", 3, 2, "way", 77, "ru").startswith(
        "3 ступеньки на пути (way) 77"
    )
    assert explain_block("step_count", 21, 2, "way", 77, "ru").startswith("21 ступенька")
    assert explain_block("report", "", "", "way", 77, "ru") == (
        "На пути (way) 77 сообщили о препятствии."
    )
    assert explain_block("elevator_closed", "Mo-Fr 08:00-20:00", "", "node", 9, "en") == (
        "The elevator at node 9 is closed at the time of travel (hours: Mo-Fr 08:00-20:00)."
    )


def test_explain_block_refuses_unknown_element_type() -> None:
    with pytest.raises(BadInput, match="unknown OSM element type 'area'; choose node, way or"):
        explain_block("kerb_height_m", "0.1", "0.03", "area", 1, "en")


def test_explain_relax_and_no_route() -> None:
    assert explain_relax("max_kerb_height_m", "0.12", "en") == (
        "A route exists if you set max_kerb_height_m=0.12."
    )
    assert explain_relax("max_kerb_height_m", 0.12, "ru") == (
        "Маршрут найдётся, если задать max_kerb_height_m=0.12."
    )
    assert explain_relax("respect_wheelchair_tag", False, "kk") == (
        "Егер respect_wheelchair_tag=false қойсаңыз, маршрут табылады."
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("max_incline_down_pct", 36.398),
        ("max_kerb_height_m", 0.12),
        ("min_width_m", 0.915),
        ("max_step_count", 12),
        ("max_access_m", 283.0),
        ("respect_wheelchair_tag", False),
        ("unknown_width", "avoid"),
    ],
)
def test_a_relax_hint_pastes_into_set(parameter: str, value: object, lang: str) -> None:
    """The hint's KEY=VALUE is what --set and the query take, in every language: a Russian
    hint once printed "max_incline_down_pct = 36,398", which --set refused."""
    text = explain_relax(parameter, value, lang)
    setting = re.search(r"([a-z_]+=[^\s]+?)\.?(?:\s|$)", text)
    assert setting is not None, text
    key, _, raw = setting.group(1).partition("=")
    changed = profile_from_request("manual_wheelchair", {key: raw})
    facet = getattr(changed, facet_of(key))
    assert getattr(facet, key) == value
    assert explain_no_route("en") == "No route fits your profile."
    assert explain_no_route("ru") == "Нет маршрута, подходящего под ваш профиль."
    assert explain_no_route("kk") == "Сіздің профиліңізге сай маршрут жоқ."


WARNINGS = {
    "unknown_kerb": {},
    "unknown_incline": {},
    "unknown_width": {},
    "unknown_surface": {},
    "unlit": {},
    "winter_unserviced": {},
    "rough_surface": {},
    "elevator_hours_unknown": {},
    "low_confidence": {"percent": 62.4},
    "detour": {"factor": 1.34},
    "access_origin": {"metres": 87.0},
    "access_destination": {"metres": 31.0},
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", WARNINGS)
def test_every_warning_in_every_language(code: str, lang: str) -> None:
    text = warning_text(code, lang, **WARNINGS[code])
    assert text.endswith(".")
    assert "%" not in text.replace(" %", "")
    if lang != "en":
        assert text != warning_text(code, "en", **WARNINGS[code])
    if lang == "kk":
        assert not LATIN.search(text), text


def test_warning_values_are_formatted() -> None:
    assert warning_text("low_confidence", "en", percent=62.4) == (
        "The map knows only 62 % of what matters for your profile on this route."
    )
    assert "в 1,3 раза длиннее" in warning_text("detour", "ru", factor=1.34)
    assert "2,0 есе" in warning_text("detour", "kk", factor=2)
    assert "85 м" in warning_text("access_origin", "kk", metres=87.0)
    assert "30 m" in warning_text("access_destination", "en", metres=31.0)


def test_warning_refuses_unknown_code_and_wrong_values() -> None:
    with pytest.raises(BadInput, match="unknown warning code 'foggy'; choose one of"):
        warning_text("foggy", "en")
    with pytest.raises(BadInput, match="warning 'detour' takes factor=<number>, got none"):
        warning_text("detour", "en")
    with pytest.raises(BadInput, match="warning 'unlit' takes no values"):
        warning_text("unlit", "en", percent=3)


def test_summary_text() -> None:
    assert summary_text(1234, 903, 0.85, 1.3, "en") == (
        "1.2 km, about 15 min. The map knows 85 % of what matters for your profile on this "
        "route. 1.3 times the shortest walking distance."
    )
    assert summary_text(1234, 903, 0.85, 1.3, "ru") == (
        "1,2 км, около 15 мин. Карта знает 85 % того, что важно для вашего профиля на этом "
        "маршруте. В 1,3 раза длиннее кратчайшего пешего пути."
    )
    assert summary_text(1234, 903, 0.85, 1.3, "kk") == (
        "1,2 км, шамамен 15 мин. Бұл маршрутта сіздің профиліңізге маңызды мәліметтердің "
        "85 %-ы картада бар. Ең қысқа жаяу жолдан 1,3 есе ұзын."
    )
    assert summary_text(430, 330, None, None, "en") == "430 m, about 6 min."
    with pytest.raises(BadInput, match="confidence must be between 0 and 1, got 85"):
        summary_text(1234, 903, 85, 1.3, "en")


def test_a_road_with_sidewalk_yes_is_walked_on_its_sidewalk(tmp_path: Path) -> None:
    """sidewalk=yes (at least one side) is still a sidewalk to walk on, as both or one side
    are: the guidance says so rather than "the road"."""
    world = World(
        "a-----b",
        ways={"ab": {"highway": "residential", "sidewalk": "yes"}},
    )
    graph = world.graph(tmp_path)
    a, b = world.positions()["a"], world.positions()["b"]
    answer = stepfree.route((a[1], a[0]), (b[1], b[0]), graph=graph, at="2026-06-01T12:00")
    assert answer["instructions"][0]["way_kind"] == "sidewalk"

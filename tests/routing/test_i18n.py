"""The message catalogues match the code, and locale formatting reads as each language writes.

If a test here fails after you added or changed a message, update the catalogues with the
commands in the docstring of ``stepfree.routing.narration.i18n`` (pybabel extract, then
pybabel update) and translate the new entries in ``ru`` and ``kk``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

import stepfree
import stepfree.routing.narration.i18n as i18n
from stepfree.errors import BadInput
from stepfree.routing.narration.i18n import (
    LANGUAGES,
    Translator,
    format_distance,
    format_duration,
    format_height,
    format_number,
    format_percent,
    russian_case,
    translator,
)

PACKAGE = Path(stepfree.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
UPDATE = (
    "update the catalogues: .venv/bin/pybabel extract -F src/stepfree/locale/babel.cfg -k _ "
    "-k ngettext:1,2 --add-comments=TRANSLATORS: --no-location --project=stepfree "
    "-o src/stepfree/locale/stepfree.pot src/stepfree && .venv/bin/pybabel update "
    "-i src/stepfree/locale/stepfree.pot -d src/stepfree/locale -D stepfree --ignore-obsolete, "
    "then translate the new entries in ru and kk (see the docstring of "
    "stepfree.routing.narration.i18n)"
)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
#: The OSM term beside its translation ("на пути (way) 123"), so a reader can look it up.
OSM_TERM = re.compile(r"\((?:node|way|relation)\)")
NBSP = "\u00a0"


def _key(message_id: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    return tuple(message_id) if isinstance(message_id, tuple | list) else (message_id,)


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain="stepfree")


@pytest.fixture(scope="module")
def code_messages() -> dict[tuple[str, ...], list[str]]:
    """Every message the code marks, as Babel extracts it: (msgid[, msgid_plural]) -> places."""
    with (LOCALE / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_": None, "ngettext": (1, 2)}
    found: dict[tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        PACKAGE, method_map, options_map, keywords=keywords
    ):
        found.setdefault(_key(message), []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def template() -> Catalog:
    return _read(LOCALE / "stepfree.pot")


def _entries(catalog: Catalog) -> dict[tuple[str, ...], object]:
    return {_key(m.id): m for m in catalog if m.id}


def test_code_marks_messages(code_messages: dict[tuple[str, ...], list[str]]) -> None:
    plurals = [key for key in code_messages if len(key) == 2]
    assert len(code_messages) > 100
    assert ("Go up %(count)s step.", "Go up %(count)s steps.") in plurals


def test_template_is_up_to_date_with_the_code(
    code_messages: dict[tuple[str, ...], list[str]], template: Catalog
) -> None:
    in_template = set(_entries(template))
    missing = {key: code_messages[key] for key in set(code_messages) - in_template}
    stale = in_template - set(code_messages)
    assert not missing, f"messages in the code but not in stepfree.pot: {missing}; {UPDATE}"
    assert not stale, f"messages in stepfree.pot that the code no longer uses: {stale}; {UPDATE}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_has_exactly_the_template_messages(lang: str, template: Catalog) -> None:
    catalog = _read(LOCALE / lang / "LC_MESSAGES" / "stepfree.po", lang)
    entries = set(_entries(catalog))
    assert entries == set(_entries(template)), f"{lang} differs from stepfree.pot; {UPDATE}"
    assert not catalog.obsolete, f"{lang} keeps obsolete entries {list(catalog.obsolete)}; {UPDATE}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{lang} has fuzzy entries to review and unmark: {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_plural_forms_follow_babel_locale_data(lang: str) -> None:
    catalog = _read(LOCALE / lang / "LC_MESSAGES" / "stepfree.po", lang)
    # Babel's gettext table (ru: 3, integers only); for kk it has no entry and CLDR's one/other
    # gives the same 2 forms.
    expected = {"en": 2, "ru": 3}.get(lang, len(Locale(lang).plural_form.tags | {"other"}))
    assert catalog.num_plurals == expected == get_plural(lang).num_plurals
    assert catalog.plural_expr == get_plural(lang).plural_expr
    for message in catalog:
        if message.id and message.pluralizable:
            assert len(message.string) == expected, (lang, message.id)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_translations_are_complete_and_keep_placeholders(lang: str) -> None:
    catalog = _read(LOCALE / lang / "LC_MESSAGES" / "stepfree.po", lang)
    for message in catalog:
        if not message.id:
            continue
        ids = _key(message.id)
        forms = _key(message.string)
        assert all(form.strip() for form in forms), f"{lang}: {ids[0]!r} is not translated"
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, (lang, ids[0], form)
            # a stray percent sign would make `%` formatting fail at run time
            assert "%" not in PLACEHOLDER.sub("", form).replace("%%", ""), (lang, form)
            if wanted:
                form % dict.fromkeys(wanted, "1")
    assert not [(m.id, errors) for m, errors in catalog.check() if errors]


def test_english_catalogue_is_empty_or_consistent() -> None:
    catalog = _read(LOCALE / "en" / "LC_MESSAGES" / "stepfree.po", "en")
    for message in catalog:
        for form in _key(message.string) if message.id else ():
            if form:
                assert set(PLACEHOLDER.findall(form)) == set(
                    PLACEHOLDER.findall(_key(message.id)[0])
                )


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_translations_are_cyrillic(lang: str) -> None:
    """Russian and Kazakh texts have no Latin letters of their own (names come in placeholders),
    but for the OSM term glossed beside its translation."""
    catalog = _read(LOCALE / lang / "LC_MESSAGES" / "stepfree.po", lang)
    for message in catalog:
        for form in _key(message.string) if message.id else ():
            text = OSM_TERM.sub("", PLACEHOLDER.sub("", form))
            assert not re.search("[A-Za-z]", text), (lang, form)
            if any(char.isalpha() for char in text):
                assert re.search("[а-яА-ЯёЁәғқңөұүһіӘҒҚҢӨҰҮҺІ]", text), (lang, form)


def test_kazakh_plural_forms_are_one_text() -> None:
    """A Kazakh noun after a numeral stays singular ("12 баспалдақ"): every form is the same."""
    catalog = _read(LOCALE / "kk" / "LC_MESSAGES" / "stepfree.po", "kk")
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals
    for message in plurals:
        assert len(set(message.string)) == 1, message.string


def test_russian_plural_rule_from_the_catalogue() -> None:
    t = translator("ru")
    counts = (1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111)
    word = {n: t.ngettext("%(count)s step ahead.", "%(count)s steps ahead.", n) for n in counts}
    assert {n for n in counts if word[n].endswith("ступенька.")} == {1, 21, 101}
    assert {n for n in counts if word[n].endswith("ступеньки.")} == {2, 4, 22}
    assert {n for n in counts if word[n].endswith("ступенек.")} == {5, 11, 12, 14, 25, 111}


def test_english_falls_back_to_msgid_and_plural_rule() -> None:
    t = translator("en")
    assert t.gettext("You have arrived.") == "You have arrived."
    assert t.ngettext("Go up %(count)s step.", "Go up %(count)s steps.", 1).endswith("step.")
    assert t.ngettext("Go up %(count)s step.", "Go up %(count)s steps.", 2).endswith("steps.")


def test_missing_message_falls_back_to_english() -> None:
    english = Translator("en", {"Hello.": "Hello there."}, lambda n: int(n != 1))
    russian = Translator("ru", {"Bye.": "Пока."}, lambda n: 0, fallback=english)
    assert russian.gettext("Bye.") == "Пока."
    assert russian.gettext("Hello.") == "Hello there."
    assert russian.gettext("Unknown.") == "Unknown."
    assert russian.ngettext("one", "many", 3) == "many"
    assert translator("kk").gettext("not a message in any catalogue") == (
        "not a message in any catalogue"
    )


def test_translators_are_cached() -> None:
    assert translator("kk") is translator("kk")


@pytest.mark.parametrize("bad", ["fr", "", "RU", "kk-Latn"])
def test_unknown_language_is_bad_input(bad: str) -> None:
    with pytest.raises(BadInput, match=f"unknown language {bad!r}; choose en, ru or kk"):
        translator(bad)
    with pytest.raises(BadInput, match="unknown language"):
        format_distance(100, bad)


@pytest.mark.parametrize(
    ("metres", "en", "ru"),
    [
        (0, "0 m", "0 м"),
        (1, "5 m", "5 м"),
        (12.4, "10 m", "10 м"),
        (12.5, "15 m", "15 м"),
        (97, "95 m", "95 м"),
        (99, "100 m", "100 м"),
        (123, "120 m", "120 м"),
        (125, "130 m", "130 м"),
        (994, "990 m", "990 м"),
        (996, "1 km", "1 км"),
        (1234, "1.2 km", "1,2 км"),
        (1250, "1.3 km", "1,3 км"),
        (15_049, "15 km", "15 км"),
        (1_234_567, "1,234.6 km", f"1{NBSP}234,6 км"),
    ],
)
def test_format_distance_rounds_as_people_say_it(metres: float, en: str, ru: str) -> None:
    assert format_distance(metres, "en") == en
    assert format_distance(metres, "ru") == ru
    assert format_distance(metres, "kk") == ru  # kk writes м / км and a decimal comma too


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf")])
def test_format_distance_refuses_nonsense(bad: float) -> None:
    with pytest.raises(BadInput, match="distance must be a finite number >= 0"):
        format_distance(bad, "en")


def test_number_height_duration_percent_per_locale() -> None:
    assert format_number(1234.56, "en") == "1,234.6"
    assert format_number(1234.56, "ru") == f"1{NBSP}234,6"
    assert format_number(1234.56, "kk") == f"1{NBSP}234,6"
    assert format_number(2.0, "ru", 1, 1) == "2,0"
    assert format_height(0.02, "en") == "2 cm"
    assert format_height(0.025, "ru") == "2,5 см"
    assert format_height(1.5, "kk") == "1,5 м"
    assert format_duration(903, "en") == "15 min"
    assert format_duration(903, "ru") == "15 мин"
    assert format_duration(903, "kk") == "15 мин"
    assert format_duration(10, "en") == "1 min"
    assert format_duration(3600, "ru") == "1 ч"
    assert format_duration(4800, "kk") == "1 сағ 20 мин"
    assert format_percent(8.5, "en") == "9 %"
    assert format_percent(8.5, "ru", 1) == "8,5 %"


@settings(max_examples=500, deadline=None)
@given(
    value=st.one_of(
        st.floats(-1e7, 1e7, allow_nan=False),
        st.integers(-(10**7), 10**7).map(float),
        st.decimals(-1000, 1000, places=3).map(float),  # halves and exact decimals
    ),
    lang=st.sampled_from(["en", "ru", "kk"]),
    max_decimals=st.integers(0, 3),
    data=st.data(),
)
def test_format_number_writes_what_babel_writes(
    value: float, lang: str, max_decimals: int, data: st.DataObject
) -> None:
    min_decimals = data.draw(st.integers(0, max_decimals))
    pattern = "#,##0" + (
        "." + "0" * min_decimals + "#" * (max_decimals - min_decimals) if max_decimals else ""
    )
    rounded = i18n._round(value, max_decimals)
    rounded = abs(rounded) if rounded == 0 else rounded  # never "-0" (Babel writes it)
    expected = format_decimal(rounded, format=pattern, locale=lang)
    assert format_number(value, lang, max_decimals, min_decimals) == expected


@pytest.mark.parametrize(
    ("name", "dative", "accusative"),
    [
        ("улица Кенесары", "улице Кенесары", "улицу Кенесары"),
        ("проспект Абая", "проспекту Абая", "проспект Абая"),
        ("Московская улица", "Московской улице", "Московскую улицу"),
        ("Северный проезд", "Северному проезду", "Северный проезд"),
        ("Московский проспект", "Московскому проспекту", "Московский проспект"),
        ("Набережная", "Набережной", "Набережную"),
        ("площадь Независимости", "площади Независимости", "площадь Независимости"),
        ("Абай даңғылы", "Абай даңғылы", "Абай даңғылы"),  # not Russian: left as it is
        ("Хан Шатыр", "Хан Шатыр", "Хан Шатыр"),
    ],
)
def test_russian_street_names_decline(name: str, dative: str, accusative: str) -> None:
    assert russian_case(name, "dat") == dative
    assert russian_case(name, "acc") == accusative


def test_russian_case_refuses_unknown_case() -> None:
    with pytest.raises(BadInput, match="unknown grammatical case 'gen'; choose dat or acc"):
        russian_case("улица Кенесары", "gen")

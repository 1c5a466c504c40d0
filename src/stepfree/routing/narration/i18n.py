"""Translations and locale formatting for what a person reads or hears: English, Russian, Kazakh.

Messages live in gettext catalogues, ``stepfree/locale/<lang>/LC_MESSAGES/stepfree.po``, read at
run time with Babel's ``read_po`` (no compile step at install). The English catalogue may leave a
message untranslated (the msgid is the English text); Russian and Kazakh must be complete, and
``tests/routing/test_i18n.py`` fails when they are not.

Code marks a message by calling ``_("...")`` or ``ngettext("...", "...", n)`` with literal text,
where ``_`` and ``ngettext`` are bound at call time (``t = translator(lang); _ = t.gettext``).
A table of messages chosen later marks each with :func:`N_` (which returns its argument; Babel
extracts it by default) and translates the chosen one with ``_(table[key])``.
Placeholders are always named, ``%(name)s`` (Babel flags them ``python-format``); a literal percent
sign in a message with placeholders is written ``%%``. After adding or changing a message, run from
the repository root::

    .venv/bin/pybabel extract -F src/stepfree/locale/babel.cfg -k _ -k ngettext:1,2 \\
        --add-comments=TRANSLATORS: --no-location --project=stepfree \\
        -o src/stepfree/locale/stepfree.pot src/stepfree
    .venv/bin/pybabel update -i src/stepfree/locale/stepfree.pot -d src/stepfree/locale \\
        -D stepfree --ignore-obsolete

then translate the new or changed entries in ``ru`` and ``kk`` (search for empty ``msgstr``).
Write ``-k ngettext:1,2``, not ``-k ngettext``: a bare keyword tells Babel to take only the first
argument, and the plural msgid would be lost.

Plural forms follow each catalogue's ``Plural-Forms`` header, which ``pybabel init`` takes from
Babel's locale data: ``en`` 2 forms, ``ru`` 3 (1 ступенька, 3 ступеньки, 5 ступенек), ``kk`` 2
(CLDR has ``one``/``other`` for Kazakh; both forms are the same text, since a Kazakh noun after a
numeral stays singular: "12 баспалдақ").
"""

from __future__ import annotations

import gettext as _gettext
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources

from babel.messages.pofile import read_po
from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

from stepfree.errors import BadData, BadInput

__all__ = [
    "LANGUAGES",
    "N_",
    "Translator",
    "capitalized",
    "check_language",
    "format_distance",
    "format_duration",
    "format_height",
    "format_number",
    "format_percent",
    "russian_case",
    "translator",
]

#: The languages every user-facing text exists in, in the order we list them to users.
LANGUAGES: tuple[str, ...] = ("en", "ru", "kk")
DOMAIN = "stepfree"


class Translator:
    """The messages of one language, falling back to English for anything missing.

    Parameters
    ----------
    lang : str
        Language code, one of :data:`LANGUAGES`.
    messages : dict
        msgid -> translation; a plural entry maps its singular msgid to a tuple of forms.
    plural : callable
        ``n -> index`` of the plural form (from the catalogue's ``Plural-Forms`` header).
    fallback : Translator or None
        Where a missing or empty message is looked up next (English); ``None`` means the msgid
        itself is the text.
    """

    def __init__(
        self,
        lang: str,
        messages: dict[str, str | tuple[str, ...]],
        plural: Callable[[int], int],
        fallback: Translator | None = None,
    ) -> None:
        self.lang = lang
        self._messages = messages
        self._plural = plural
        self._fallback = fallback

    def gettext(self, msgid: str) -> str:
        """The translation of ``msgid``, else the English one, else ``msgid`` itself."""
        text = self._messages.get(msgid)
        if isinstance(text, str) and text:
            return text
        return self._fallback.gettext(msgid) if self._fallback else msgid

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form of a message for the count ``n``, by this language's plural rule."""
        forms = self._messages.get(singular)
        if isinstance(forms, tuple) and all(forms):
            index = self._plural(n)
            if 0 <= index < len(forms):
                return forms[index]
        if self._fallback:
            return self._fallback.ngettext(singular, plural, n)
        return singular if n == 1 else plural


def N_(message: str) -> str:  # noqa: N802  (the gettext name for "mark, translate later")
    """Mark ``message`` for extraction without translating it; return it unchanged."""
    return message


def capitalized(sentence: str) -> str:
    """The sentence with its first letter in capitals (the rest as it is)."""
    return sentence[:1].upper() + sentence[1:]


def check_language(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`, else raise :class:`BadInput`."""
    if lang not in LANGUAGES:
        raise BadInput(f"unknown language {lang!r}; choose en, ru or kk")
    return lang


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str) -> Translator:
    """The translator for ``lang``, read once from its .po catalogue and cached.

    Raises
    ------
    BadInput
        ``lang`` is not one of :data:`LANGUAGES`.
    BadData
        The catalogue is missing or unreadable (a broken install).
    """
    check_language(lang)
    path = resources.files("stepfree").joinpath("locale", lang, "LC_MESSAGES", f"{DOMAIN}.po")
    try:
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        plural = _gettext.c2py(catalog.plural_expr)
    except (OSError, ValueError) as exc:
        raise BadData(
            f"message catalogue {path} is unreadable ({exc}); reinstall stepfree"
        ) from exc
    messages: dict[str, str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:  # the header, and guesses nobody checked
            continue
        key = message.id[0] if isinstance(message.id, tuple | list) else message.id
        text = message.string
        if text is None:  # no translation: the same as an absent entry (falls back)
            continue
        messages[key] = tuple(text) if isinstance(text, tuple | list) else text
    fallback = None if lang == "en" else translator("en")
    return Translator(lang, messages, plural, fallback)


@lru_cache(maxsize=len(LANGUAGES))
def _number_symbols(lang: str) -> tuple[str, str, str]:
    """The locale's decimal sign, group separator and minus sign (from Babel's CLDR data)."""
    return get_decimal_symbol(lang), get_group_symbol(lang), get_minus_sign_symbol(lang)


@lru_cache(maxsize=16384)  # a route's words repeat a few rounded distances
def format_number(value: float, lang: str, max_decimals: int = 1, min_decimals: int = 0) -> str:
    """A number in the locale's digits: ``1,234.5`` (en), ``1 234,5`` (ru, kk; non-breaking space).

    Rounded half up to at most ``max_decimals`` decimals; zeros after ``min_decimals`` are dropped.
    The same text as Babel's ``format_decimal`` with pattern ``#,##0.##`` (tested against it),
    except that a value rounding to zero is never "-0"; written with the locale's symbols
    directly: Babel parses the pattern on every call, which cost more than the rest of a
    route's words together.
    """
    check_language(lang)
    rounded = _round(value, max_decimals)
    whole, _, fraction = f"{abs(rounded):,.{max_decimals}f}".partition(".")
    fraction = fraction[: max(min_decimals, len(fraction.rstrip("0")))]
    decimal, group, minus = _number_symbols(lang)
    text = whole.replace(",", group) + (decimal + fraction if fraction else "")
    return minus + text if rounded < 0 else text


def format_distance(m: float, lang: str) -> str:
    """A walking distance, rounded as people say it: "120 m", "1.2 km", "1,2 км".

    Rounded half up to 5 m under 100 m, to 10 m under 1 km, to 0.1 km from 1 km on; any positive
    distance is at least "5 m", so a short step is never announced as nothing.
    """
    _ = translator(lang).gettext
    metres = _finite(m, "distance")
    if metres < 100:
        value = _round(metres / 5, 0) * 5
        if metres > 0:
            value = max(value, 5.0)
    else:
        value = _round(metres / 10, 0) * 10
    if value < 1000:
        return _("%(value)s m") % {"value": format_number(value, lang, 0)}
    return _("%(value)s km") % {"value": format_number(metres / 1000, lang, 1)}


def format_height(m: float, lang: str) -> str:
    """A small height (a kerb): centimetres under 1 m ("2 cm", "2,5 см"), else metres."""
    _ = translator(lang).gettext
    metres = _finite(m, "height")
    if metres < 1:
        return _("%(value)s cm") % {"value": format_number(metres * 100, lang, 1)}
    return _("%(value)s m") % {"value": format_number(metres, lang, 2)}


def format_duration(s: float, lang: str) -> str:
    """A walking time in whole minutes: "15 min", "15 мин", "1 h 20 min", "1 сағ 20 мин"."""
    _ = translator(lang).gettext
    minutes = max(1, int(_round(_finite(s, "duration") / 60, 0)))
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": format_number(minutes, lang, 0)}
    if not minutes:
        return _("%(hours)s h") % {"hours": format_number(hours, lang, 0)}
    values = {"hours": format_number(hours, lang, 0), "minutes": format_number(minutes, lang, 0)}
    return _("%(hours)s h %(minutes)s min") % values


def format_percent(pct: float, lang: str, max_decimals: int = 0) -> str:
    """A percentage (a slope, a confidence): "9 %", the sign spaced as ru and kk write it."""
    _ = translator(lang).gettext
    value = format_number(_finite(pct, "percentage"), lang, max_decimals)
    return _("%(value)s %%") % {"value": value}


# Russian street names, for "по проспекту Абая" (dative) and "на улицу Кенесары" (accusative).
# The type word declines, and so do adjectives just before it ("Московская улица"); the name
# after the type word is an apposition and keeps its form ("улица Кенесары" -> "улицу Кенесары").
# Anything we do not recognise is left as it is: a name in the nominative is understood, a
# wrongly declined one is not.
_RU_TYPES: dict[str, tuple[str, str, str]] = {  # nominative: (gender, dative, accusative)
    "улица": ("f", "улице", "улицу"),
    "проспект": ("m", "проспекту", "проспект"),
    "переулок": ("m", "переулку", "переулок"),
    "бульвар": ("m", "бульвару", "бульвар"),
    "шоссе": ("n", "шоссе", "шоссе"),
    "площадь": ("f", "площади", "площадь"),
    "набережная": ("f", "набережной", "набережную"),
    "аллея": ("f", "аллее", "аллею"),
    "проезд": ("m", "проезду", "проезд"),
    "тупик": ("m", "тупику", "тупик"),
    "мост": ("m", "мосту", "мост"),
    "тракт": ("m", "тракту", "тракт"),
    "трасса": ("f", "трассе", "трассу"),
    "дорога": ("f", "дороге", "дорогу"),
    "микрорайон": ("m", "микрорайону", "микрорайон"),
    "сквер": ("m", "скверу", "сквер"),
    "парк": ("m", "парку", "парк"),
}
_RU_ADJECTIVES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    # (gender, case): (nominative ending, replacement), tried in order
    ("f", "dat"): (("ая", "ой"), ("яя", "ей")),
    ("f", "acc"): (("ая", "ую"), ("яя", "юю")),
    ("m", "dat"): (("ый", "ому"), ("ой", "ому"), ("кий", "кому"), ("гий", "гому"), ("ий", "ему")),
    ("n", "dat"): (("ое", "ому"), ("ее", "ему")),
}


def russian_case(name: str, case: str) -> str:
    """A Russian street name in the dative (``"dat"``) or accusative (``"acc"``) case.

    ``"улица Кенесары"`` -> ``"улице Кенесары"`` / ``"улицу Кенесары"``; ``"Московская улица"``
    -> ``"Московской улице"``; a name without a known type word is returned unchanged.
    """
    if case not in ("dat", "acc"):
        raise BadInput(f"unknown grammatical case {case!r}; choose dat or acc")
    words = name.split(" ")
    for index, word in enumerate(words):
        entry = _RU_TYPES.get(word.lower())
        if entry is None:
            continue
        gender, dative, accusative = entry
        words[index] = _same_capital(word, dative if case == "dat" else accusative)
        before = index - 1
        while before >= 0 and _decline_adjective(words, before, gender, case):
            before -= 1
        return " ".join(words)
    return name


def _decline_adjective(words: list[str], index: int, gender: str, case: str) -> bool:
    word = words[index]
    if gender in ("m", "n") and case == "acc":  # inanimate: accusative = nominative
        return bool(re.search(r"(ый|ий|ой|ое|ее)$", word)) and len(word) > 3
    for ending, replacement in _RU_ADJECTIVES.get((gender, case), ()):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            words[index] = word[: -len(ending)] + replacement
            return True
    return False


def _same_capital(original: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if original[:1].isupper() else replacement


@lru_cache(maxsize=16384)
def _round(value: float, decimals: int) -> float:
    """Round half up (``round`` rounds half to even, so 2.5 m would become 2 m)."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _finite(value: float, what: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise BadInput(f"{what} must be a finite number >= 0, got {value!r}")
    return number

"""Typographic rules applied to data text at typesetting, and the text turned into safe HTML.

Authors type plain text; this module gives it the spacing, quotes, apostrophes, dashes and
ordinals of its language. It works on the text only and escapes it itself, so nothing typed
in a sheet can become a tag or an attribute. `*words*` is the one inline markup: emphasis.

Every rule runs in time linear in the length of the text: each pattern can start matching
only at a bounded set of places (after a non-space, at an opening sign) and never scans
past the next sign that would end it (a quote stops at the next quote, emphasis at the next
asterisk). tests/test_typography.py measures it.

A language is one entry of LANGUAGES: its rules on plain text, and its rules on the escaped
HTML (French ordinals). A language without an entry gets `plain`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

NBSP = "\u00a0"  # before ':' and inside « »
NNBSP = "\u202f"  # narrow: before ; ! ?
SPACES = " \u00a0\u202f"

_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]*?)(?<=\S)\*(?![\w*])")
_SPACES = re.compile(r"[ \t\r\n]+")
_APOSTROPHE = re.compile(r"(?<=\w)'|'(?=\w)")

# French
_QUOTES = re.compile(r"[“\"] ?([^“”\"]+?) ?[”\"]")
_BEFORE_HIGH = re.compile(rf"(?<![{SPACES}])[{SPACES}]*([;!?]+)(?=[\s»)\]*]|$)")
_ENTITY_END = re.compile(r"&#?\w+$")
_ENTITY_LONGEST = 32  # characters of the longest HTML entity name, with & and #
_BEFORE_COLON = re.compile(rf"(?<=\S)[{SPACES}]*:(?=[\s*]|$)")
_BEFORE_COMMA = re.compile(r"(?<=\w)[ \u00a0]+,")
# 1er, 2e, 27ème, 3èmes: the suffix is set as a superior letter, in its short form.
_ORDINAL = re.compile(r"(?<![\w.])(\d+)(er|re|ers|res|ème|èmes|eme|e|es)(?![\w])")
_ORDINAL_SHORT = {"ème": "e", "eme": "e", "èmes": "es"}

# English: a quote opens at the start, after a space, a bracket or a dash (or after an
# emphasis `*` that follows one of those), before a non-space; every other quote closes (and
# a single one is then an apostrophe).
_OPENS_AFTER = r"\s(\[{\u2013\u2014"
_OPENING = rf"(?:(?<![^{_OPENS_AFTER}])|(?<=\*)(?<![^{_OPENS_AFTER}]\*))"
_OPEN_DOUBLE = re.compile(rf'{_OPENING}"(?=\S)')
_OPEN_SINGLE = re.compile(rf"(?:{_OPENING}|(?<=[\"“]))'(?=\S)")
_EN_DASH = re.compile(r"(?<= )-(?= )")
_BEFORE_PUNCTUATION = re.compile(rf"(?<=\S)[{SPACES}]+(?=[,.;:!?](?:\s|$))")

# Every language, in print: Unicode's line breaking before its version 15.1 (Pango 1.50)
# allows no break between a closing quote and an opening bracket after it, space or not: the
# whole of `« devoirs de vacances » (Mulhouse)` goes to the next line, and the line it leaves
# is set loose. A zero-width space gives the break later versions (Pango 1.56, browsers) find.
BREAK = "\u200b"
_QUOTE_THEN_BRACKET = re.compile(r"(?<=[»”’])(?= [(\[{])")


def plain(text: str) -> str:
    """Spacing and signs common to every language."""
    text = text.replace("...", "…")
    return _APOSTROPHE.sub("’", text)


def french(text: str) -> str:
    """French spacing and signs, as plain text (no markup)."""
    text = plain(text)
    text = _QUOTES.sub(lambda m: f"«{NBSP}{m[1]}{NBSP}»", text)
    text = _BEFORE_COMMA.sub(",", text)
    text = _BEFORE_HIGH.sub(lambda m: _high_punctuation(m, text), text)
    text = _BEFORE_COLON.sub(f"{NBSP}:", text)
    return text


def _high_punctuation(match: re.Match, text: str) -> str:
    # "&amp;" typed as text is a word, not a sentence followed by a semicolon.
    start = match.start()
    if start == 0 or _ENTITY_END.search(text, max(0, start - _ENTITY_LONGEST), start):
        return match[0]
    return f"{NNBSP}{match[1]}"


def english(text: str) -> str:
    """English quotes, apostrophes, dashes and ellipsis; no space before punctuation."""
    text = text.replace("...", "…").replace("--", "—")
    text = _EN_DASH.sub("–", text)
    text = _OPEN_DOUBLE.sub("“", text).replace('"', "”")
    text = _OPEN_SINGLE.sub("‘", text).replace("'", "’")
    return _BEFORE_PUNCTUATION.sub("", text)


def _ordinals(html: str) -> str:
    def sup(m: re.Match) -> str:
        suffix = _ORDINAL_SHORT.get(m[2], m[2])
        return f'{m[1]}<sup class="ordinal">{suffix}</sup>'

    return _ORDINAL.sub(sup, html)


@dataclass(frozen=True)
class Language:
    text: Callable[[str], str]  # on the plain text, before emphasis is marked
    html: Callable[[str], str] = str  # on the escaped HTML of each piece


LANGUAGES = {
    "fr": Language(french, _ordinals),
    "en": Language(english),
}
OTHER = Language(plain)


def typeset(text: str, language: str = "fr", quote_breaks: bool = True) -> Markup:
    """Plain data text to escaped HTML with the language's typography applied; with
    `quote_breaks`, a line may end after a closing quote that a bracket follows (BREAK)."""
    rules = LANGUAGES.get(language.split("-")[0], OTHER)
    text = rules.text(_SPACES.sub(" ", text).strip())
    if quote_breaks:
        text = _QUOTE_THEN_BRACKET.sub(BREAK, text)
    html = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        html.append(rules.html(str(escape(text[position:match.start()]))))
        html.append(f"<em>{rules.html(str(escape(match[1])))}</em>")
        position = match.end()
    html.append(rules.html(str(escape(text[position:]))))
    return Markup("".join(html))

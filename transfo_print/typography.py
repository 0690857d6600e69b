"""Typographic rules applied to data text at typesetting, and the text turned into safe HTML.

Authors type plain text; this module gives it French spacing, quotes, apostrophes and
ordinals. It works on the text only and escapes it itself, so nothing typed in a sheet can
become a tag or an attribute. `*words*` is the one inline markup: emphasis.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

NBSP = "\u00a0"  # before ':' and inside « »
NNBSP = "\u202f"  # narrow: before ; ! ?

_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")
_QUOTES = re.compile(r"[“\"]\s*(.+?)\s*[”\"]")
_APOSTROPHE = re.compile(r"(?<=\w)'|'(?=\w)")
_BEFORE_HIGH = re.compile(r"[ \u00a0\u202f]*([;!?]+)(?=[\s»)\]]|$)")
_ENTITY_END = re.compile(r"&#?\w+$")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)")
_BEFORE_COMMA = re.compile(r"(?<=\w)[ \u00a0]+,")
_SPACES = re.compile(r"[ \t\r\n]+")
# 1er, 2e, 27ème, 3èmes: the suffix is set as a superior letter, in its short form.
_ORDINAL = re.compile(r"(?<![\w.])(\d+)(er|re|ers|res|ème|èmes|eme|e|es)(?![\w])")
_ORDINAL_SHORT = {"ème": "e", "eme": "e", "èmes": "es"}


def french(text: str) -> str:
    """French spacing and signs, as plain text (no markup)."""
    text = text.replace("...", "…")
    text = _APOSTROPHE.sub("’", text)
    text = _QUOTES.sub(lambda m: f"«{NBSP}{m[1]}{NBSP}»", text)
    text = _BEFORE_COMMA.sub(",", text)
    text = _BEFORE_HIGH.sub(lambda m: _high_punctuation(m, text), text)
    text = _BEFORE_COLON.sub(f"{NBSP}:", text)
    return text


def _high_punctuation(match: re.Match, text: str) -> str:
    # "&amp;" typed as text is a word, not a sentence followed by a semicolon.
    if match.start() == 0 or _ENTITY_END.search(text, 0, match.start()):
        return match[0]
    return f"{NNBSP}{match[1]}"


def plain(text: str) -> str:
    """Spacing and signs common to every language."""
    text = text.replace("...", "…")
    return _APOSTROPHE.sub("’", text)


def _ordinals(html: str) -> str:
    def sup(m: re.Match) -> str:
        suffix = _ORDINAL_SHORT.get(m[2], m[2])
        return f'{m[1]}<sup class="ordinal">{suffix}</sup>'

    return _ORDINAL.sub(sup, html)


def typeset(text: str, language: str = "fr") -> Markup:
    """Plain data text to escaped HTML with the language's typography applied."""
    is_french = language.split("-")[0] == "fr"
    rules = french if is_french else plain
    text = _SPACES.sub(" ", text).strip()
    pieces = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        pieces.append((text[position : match.start()], False))
        pieces.append((match[1], True))
        position = match.end()
    pieces.append((text[position:], False))
    html = []
    for piece, emphasised in pieces:
        if not piece:
            continue
        escaped = str(escape(rules(piece)))
        if is_french:
            escaped = _ordinals(escaped)
        html.append(f"<em>{escaped}</em>" if emphasised else escaped)
    return Markup("".join(html))

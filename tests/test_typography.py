import gc
import re
import time
import timeit

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transfo_print import render
from transfo_print.paths import FONTS
from transfo_print.typography import BREAK, NBSP, NNBSP, typeset


def html(text, language="fr"):
    return str(typeset(text, language))


def test_high_punctuation_gets_a_narrow_no_break_space():
    assert html("Vraiment? Oui! Donc; fin") == f"Vraiment{NNBSP}? Oui{NNBSP}! Donc{NNBSP}; fin"


def test_an_existing_space_before_punctuation_is_replaced():
    assert html("Transfo ?") == f"Transfo{NNBSP}?"


def test_colon_gets_a_no_break_space():
    assert html("garanti par :") == f"garanti par{NBSP}:"
    assert html("ex.: oui") == f"ex.{NBSP}: oui"


def test_colon_inside_a_word_or_number_is_left_alone():
    assert html("10:30 et a:b") == "10:30 et a:b"


def test_quotes_become_guillemets_with_no_break_spaces():
    assert html("les “résidents” et \"pilotes\"") == (
        f"les «{NBSP}résidents{NBSP}» et «{NBSP}pilotes{NBSP}»"
    )


def test_a_closing_quote_may_end_a_line_before_a_bracket():
    assert html('des "devoirs" (Mulhouse)') == f"des «{NBSP}devoirs{NBSP}»{BREAK} (Mulhouse)"
    assert html('the "thing" [see]', "en") == f"the “thing”{BREAK} [see]"
    assert html('"ok" et (non)') == f"«{NBSP}ok{NBSP}» et (non)"


def test_the_line_breaks_between_a_closing_quote_and_a_bracket(tmp_path):
    """On a line as wide as the words up to the closing quote and two pixels (measured by
    the engine in the same run), the bracket goes to the next line, not the quoted words
    with it. Read back from the PDF."""
    import layout

    weasyprint = render.load_engine()
    words = html('des exercices et "devoirs de vacances"')
    text = html('des exercices et "devoirs de vacances" (Mulhouse) et des modules')
    garamond = (FONTS / "EBGaramond12-Regular.otf").as_uri()
    style = (f"<style>@font-face {{ font-family: G; src: url({garamond}); }}"
             " @page { size: 150mm 60mm; margin: 5mm } body { margin: 0; font: 16px G }"
             " p { margin: 0; text-align: justify } .alone { float: left }</style>")
    alone = weasyprint.HTML(string=f'{style}<p class="alone" lang="fr">{words}</p>').render()
    width = next(box.width for box in alone.pages[0]._page_box.descendants()
                 if getattr(box, "element_tag", None) == "p") + 2
    pdf = tmp_path / "quote.pdf"
    weasyprint.HTML(string=f'{style}<p lang="fr" style="width: {width}px">{text}</p>'
                    ).write_pdf(pdf)
    (page,) = layout.read(pdf)
    lines = [layout.line_text(row) for row in layout.glyph_rows(page.glyphs)]
    assert lines[0].endswith("vacances »"), lines
    assert lines[1].startswith("(Mulhouse)"), lines


def test_apostrophes_and_ellipsis():
    assert html("l'équipe d'abord...") == "l’équipe d’abord…"


def test_ordinals_are_superior_and_short():
    assert html("La 27e Région, la 27ème, le 1er cas") == (
        'La 27<sup class="ordinal">e</sup> Région, la 27<sup class="ordinal">e</sup>, '
        'le 1<sup class="ordinal">er</sup> cas'
    )


def test_numbers_that_are_not_ordinals_stay():
    assert html("14 sessions, N+1, 2020") == "14 sessions, N+1, 2020"


def test_no_space_before_a_comma():
    assert html("démarche , urbaniste") == "démarche, urbaniste"


def test_html_is_escaped_never_interpreted():
    out = html('<script>alert(1)</script> <img src="x"> <!-- c --> &amp;')
    assert "<script" not in out and "<img" not in out and "<!--" not in out
    assert "&lt;script&gt;" in out and "&amp;amp;" in out


def test_emphasis_is_the_only_markup():
    assert html("un *mot* ici") == "un <em>mot</em> ici"
    assert html("2 * 3 * 4") == "2 * 3 * 4"


def test_emphasis_cannot_smuggle_tags():
    assert html("*<b onclick=x>*") == "<em>&lt;b onclick=x&gt;</em>"


def test_english_keeps_its_own_spacing():
    assert html("Really? Yes: it's 1st", "en") == "Really? Yes: it’s 1st"


def test_whitespace_is_folded():
    assert html("  a \n  b  ") == "a b"


# --- English -------------------------------------------------------------------------------


def test_english_quotes_are_curly_and_open_after_a_space():
    assert html('she said "go" and \'stay\'', "en") == "she said “go” and ‘stay’"
    assert html('"*Go*", she said', "en") == "“<em>Go</em>”, she said"


def test_english_apostrophes_dashes_and_ellipsis():
    assert html("it's 1998 - 2001 -- or so...", "en") == "it’s 1998 – 2001 — or so…"


def test_english_has_no_space_before_punctuation():
    assert html("Really ? Yes , and : no !", "en") == "Really? Yes, and: no!"


def test_a_language_without_rules_gets_the_common_ones():
    assert html('it\'s "x" ...', "de") == 'it’s &#34;x&#34; …'


# --- time linear in the length of the text --------------------------------------------------

# Pieces that made rules quadratic: runs of no-break spaces, an unclosed quote, ` *a`, `a;`
# after an ampersand; capitals for the names kept whole. Any mix of them is repeated to n and
# to 16n characters.
HOSTILE = st.text(alphabet=" \u00a0\u202f\"“”'*;:!?&#aM.-\n", min_size=1, max_size=6)


def _as_a_paragraph(text: str, language: str):
    """What the typesetter makes of a paragraph (Typesetter's `paragraph` filter)."""
    from transfo_print.typeset import last_word_whole, names_and_compounds_whole

    return names_and_compounds_whole(last_word_whole(typeset(text, language)), language)


def _fastest(text: str, language: str) -> float:
    gc.collect()
    gc.disable()  # a collection landing in one run would be timed as the rules' cost
    try:
        # CPU time: another process sharing the core (a test suite beside) is not counted
        return min(timeit.repeat(lambda: _as_a_paragraph(text, language), number=1, repeat=5,
                                 timer=time.process_time))
    finally:
        gc.enable()


@settings(max_examples=8, deadline=None)
@given(unit=HOSTILE, language=st.sampled_from(["fr", "en"]))
@example(unit="la Mairie de Strasbourg. ", language="fr")  # names, and a sentence's start
def test_typesetting_time_grows_linearly(unit, language):
    """Sixteen times the text costs about sixteen times the time (a quadratic rule: 256
    times); a ratio, so that the speed of the machine does not matter, with room for a
    busy one by a factor of four either way."""
    n = 20_000  # a few milliseconds, well above the clock's grain
    small = (unit * n)[:n]
    large = (unit * 16 * n)[: 16 * n]
    ratio = _fastest(large, language) / _fastest(small, language)
    assert ratio < 64, f"{ratio:.0f} times slower for 16 times the text {unit!r}"


@pytest.mark.parametrize(("html", "kept"), [
    ("à Mulhouse et à Strasbourg.", ["Mulhouse", "Strasbourg"]),
    ("d’Occitanie, de Montpellier-Méditerranée", ["Occitanie", "Montpellier-Méditerranée"]),
    ("« devoirs de vacances » (Mulhouse)", ["Mulhouse"]),
    ("les <em>Dunkerquois</em> et la Région", ["Dunkerquois"]),  # Région: too short to break
    ("Parallèlement, les agents", []),  # a paragraph's first word
    ("<em>Parallèlement</em>, les agents", []),
    ("Fin. Parallèlement, fin ! Naturellement", []),  # a sentence's first word
    ("Fin. « Naturellement », dit-il", []),
    ("« C’est fini. » Naturellement", []),  # after a quotation's last sentence
    ('à <span class="keep-whole">Strasbourg</span>', ["Strasbourg"]),  # kept once only
    # a compound breaks at its own hyphen only, wherever it stands; a short one is left
    ("la co-construction du labo", ["co-construction"]),
    ("Co-construction et non-obligation", ["Co-construction", "non-obligation"]),
    ("un lieu-dit", []),
])
def test_names_and_compounds_are_kept_whole_but_not_a_sentences_first_word(html, kept):
    from markupsafe import Markup

    from transfo_print.typeset import names_and_compounds_whole

    out = str(names_and_compounds_whole(Markup(html), "fr"))
    assert re.findall(r'<span class="keep-whole">([^<]*)</span>', out) == kept, out
    assert re.sub(r'</?span[^>]*>', "", out) == re.sub(r'</?span[^>]*>', "", html)


def test_names_are_not_told_by_their_capital_where_every_noun_has_one():
    from markupsafe import Markup

    from transfo_print.typeset import names_and_compounds_whole

    german = Markup("die Verwaltung der Stadt Mulhouse")
    assert names_and_compounds_whole(german, "de-CH") == german
    assert "keep-whole" in names_and_compounds_whole(german, "en-GB")
    compound = Markup("die Nord-Süd-Verbindung")  # a compound still breaks at its hyphens
    assert "keep-whole" in names_and_compounds_whole(compound, "de")


@pytest.mark.parametrize(("html", "kept"), [
    ("de l’organisation.", "l’organisation"),  # punctuation after it stays outside
    ("sa <em>propre</em> administration »", "administration"),
    ("les mêmes cas", None),  # too short for the engine to hyphenate
    ("La 27<sup class=\"ordinal\">e</sup> Région", None),  # the last text piece's word
])
def test_a_paragraphs_last_word_is_kept_whole(html, kept):
    """A paragraph's last word is never hyphenated: its end alone would be the last line."""
    from markupsafe import Markup

    from transfo_print.typeset import last_word_whole

    out = str(last_word_whole(Markup(html)))
    if kept is None:
        assert out == html
    else:
        assert out.count('<span class="keep-whole">') == 1
        assert f'<span class="keep-whole">{kept}</span>' in out
        assert out.replace('<span class="keep-whole">', "").replace("</span>", "", 1) == html

from transfo_print.typography import NBSP, NNBSP, typeset


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

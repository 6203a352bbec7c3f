"""Normalisation: folding, tokens with spans, stop words, concepts, stemming, query hardening."""

from copycar_assist.matching.lexicon import default_lexicon
from copycar_assist.matching.text import MAX_QUERY_CHARS, fold, prepare, stem, tokenize


def test_fold_removes_accents_and_case():
    assert fold("Autenticación CADUCADA ñandú") == "autenticacion caducada nandu"


def test_tokens_keep_their_place_in_the_text():
    text = "Error: la API (v2) falló"
    for tok in tokenize(text):
        assert fold(text[tok.start:tok.end]) == tok.word


def test_names_are_split_into_words():
    words = [t.word for t in tokenize("smtplib.SMTPAuthenticationError invalid_api_key ConnectError")]
    assert words == ["smtplib", "smtp", "authentication", "error", "invalid", "api", "key", "connect", "error"]


def test_product_name_is_not_split():
    assert [t.word for t in tokenize("CopyCar.ai")] == ["copycar", "ai"]


def test_stemmer_meets_variants_of_one_word():
    assert stem("limites") == stem("limite")
    assert stem("sincronizan") == stem("sincronizar")
    assert stem("api") == "api"


def test_stop_words_dropped_and_concepts_shared_across_languages():
    lex = default_lexicon()
    es = [t.key for t in lex.terms(tokenize("los correos van a la carpeta de spam"))]
    en = [t.key for t in lex.terms(tokenize("the emails go to the spam folder"))]
    assert "@email" in es and "@email" in en
    assert "@spam" in es and "@spam" in en
    assert not {"los", "la", "the", "to"} & set(es + en)


def test_multi_word_concepts_win_over_single_words():
    lex = default_lexicon()
    keys = [t.key for t in lex.terms(tokenize("tiempo de respuesta alto"))]
    assert keys[0] == "@latency"
    assert [t.key for t in lex.terms(tokenize("correo no deseado"))] == ["@spam"]


def test_synonyms_meet_in_both_languages():
    lex = default_lexicon()
    pairs = [("clave", "key"), ("lento", "slow"), ("caida", "down"), ("peticiones", "requests"),
             ("sincronizacion", "sync"), ("caducada", "expired")]
    for a, b in pairs:
        assert lex.key_of(a) == lex.key_of(b), (a, b)


def test_weak_words_are_flagged():
    lex = default_lexicon()
    terms = {t.key: t.weak for t in lex.terms(tokenize("no funciona el error"))}
    assert all(terms.values())


def test_prepare_strips_controls_and_caps():
    assert prepare("a\x1b[31mb\x00c\u202ed") == "abcd"
    assert len(prepare("x" * 100_000)) == MAX_QUERY_CHARS
    assert prepare(None) == "None"


def _longest_first(lex, words):
    """The plain reading of `terms`' rule: at each word, the longest multi-word concept that
    starts there, else the word alone (stop words dropped)."""
    out, i = [], 0
    while i < len(words):
        for size in range(min(max(map(len, lex.multi)), len(words) - i), 1, -1):
            key = lex.multi.get(tuple(words[i:i + size]))
            if key:
                out.append((key, i, i + size - 1))
                i += size
                break
        else:
            hit = lex._single_term(words[i])
            if hit is not None:
                out.append((hit[0], i, i))
            i += 1
    return out


def test_the_longest_concept_starting_at_a_word_wins_whatever_shares_its_first_words():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from copycar_assist.matching.lexicon import Lexicon

    lex = Lexicon({"es": ["la"]}, {}, {"concepts": {
        "cdn": ["red de entrega de contenido"], "delivery": ["red de entrega"], "net": ["red de"],
        "spam": ["correo no deseado"], "mail": ["correo"]}})
    assert [t.key for t in lex.terms("la red de entrega de contenido api".split())] == ["@cdn", "api"]
    assert [t.key for t in lex.terms("red de entrega de".split())] == ["@delivery", "de"]
    assert [t.key for t in lex.terms("red de".split())] == ["@net"]
    assert [t.key for t in lex.terms("correo no".split())] == ["@mail", "no"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(["red", "de", "entrega", "contenido", "correo", "no", "deseado", "la", "api", "x"]),
                    max_size=12))
    def same_as_the_plain_reading(words):
        assert [(t.key, t.first, t.last) for t in lex.terms(words)] == _longest_first(lex, words)

    same_as_the_plain_reading()
    shipped = default_lexicon()
    for text in ("el tiempo de respuesta es alto", "correo no deseado en la carpeta", "rate limit exceeded"):
        words = [t.word for t in tokenize(text)]
        assert [(t.key, t.first, t.last) for t in shipped.terms(words)] == _longest_first(shipped, words)

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

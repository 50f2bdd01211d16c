from hypothesis import given
from hypothesis import strategies as st

from taskgate.scoring.text import (
    KeywordIndex,
    contains_words,
    keyword_recall,
    keywords,
    stem,
    text_of,
    tokens,
)


def test_tokens_fold_case_unicode_and_number_formats() -> None:
    assert tokens("Refund of $20.50 issued for Order 1182.") == (
        "refund",
        "of",
        "20.5",
        "issued",
        "for",
        "order",
        "1182",
    )
    assert tokens("1,000 ITEMS") == ("1000", "items")
    assert tokens("1,250.00 USD") == ("1250", "usd")
    assert tokens("Ｃａｆé  éclair") == ("café", "éclair")
    assert tokens("20.0") == ("20",)


def test_tokens_keep_identifiers_whole_and_split_snake_case() -> None:
    assert tokens("flight HAT136") == ("flight", "hat136")
    assert tokens("parse_receipt") == ("parse", "receipt")
    assert tokens("order 0042") == ("order", "0042")
    assert tokens("1,2,3") == ("1", "2", "3")


def test_stem_meets_common_inflections() -> None:
    assert {stem(w) for w in ("parse", "parsed", "parsing")} == {"pars"}
    assert {stem(w) for w in ("issue", "issued", "issues")} == {"issu"}
    assert {stem(w) for w in ("cancel", "cancelled", "canceled")} == {"cancel"}
    assert stem("data") != stem("database")
    assert stem("process") == stem("processes") == "process"


def test_keywords_drop_stopwords_and_repeats() -> None:
    assert keywords("The refund of the refunds for order 1182") == ("refund", "order", "1182")


def test_contains_words_respects_word_boundaries() -> None:
    assert contains_words(tokens("14 items"), tokens("4")) is False
    assert contains_words(tokens("database updated"), tokens("data")) is False
    assert contains_words(tokens("order 4 shipped"), tokens("4")) is True
    assert contains_words(tokens("anything"), tokens("")) is False


def test_keyword_recall() -> None:
    assert keyword_recall(("a", "b", "c", "d"), {"a", "c", "x"}) == 0.5
    assert keyword_recall((), {"a"}) == 0.0


def test_text_of_renders_json_with_sorted_keys() -> None:
    assert text_of({"b": 1, "a": [True, None]}) == '{"a":[true,null],"b":1}'
    assert text_of(None) == ""
    assert text_of("as is") == "as is"


@given(st.text())
def test_tokens_are_idempotent(text: str) -> None:
    once = tokens(text)
    assert tokens(" ".join(once)) == once


@given(st.text(), st.text())
def test_containment_implies_full_recall(haystack: str, needle: str) -> None:
    hay, need = tokens(haystack), tokens(needle)
    if contains_words(hay, need):
        assert keyword_recall(need, hay) == 1.0


def _reference(texts: list[str]) -> set[str]:
    return {word for text in texts for word in keywords(text)}


words = st.sampled_from(
    [
        "refund",
        "refunds",
        "issued",
        "parse_receipt",
        "Policies",
        "policy",
        "HAT136",
        "7V4QJS",
        "136abc",
        "1,000",
        "$20.50",
        "20.5",
        "v1.2.3",
        "cancelled",
        "the",
        "Ｃａｆé",
        "order_id",
    ]
)
texts = st.lists(
    st.lists(words | st.text(max_size=6), max_size=8).map(" ".join) | st.text(max_size=30),
    max_size=4,
)


@given(texts, st.lists(words | st.text(max_size=6), max_size=5))
def test_keyword_index_agrees_with_tokenising_everything(
    texts: list[str], probes: list[str]
) -> None:
    index = KeywordIndex(texts)
    expected = _reference(texts)
    for keyword in [*expected, *(k for p in probes for k in keywords(p))]:
        assert (keyword in index) == (keyword in expected), keyword


def test_fuzzy_similarity_reads_a_bounded_prefix_of_each_text() -> None:
    from taskgate.scoring.text import FUZZY_CHARS, fuzzy

    head = ("word " * FUZZY_CHARS)[:FUZZY_CHARS]
    assert fuzzy(head + "apples " * 1000, head + "pears " * 1000) == 1.0
    assert fuzzy("refund issued", "refund issued") == 1.0


def _words_by_hand(text: str) -> list[str]:
    """Maximal runs of letters and digits: an oracle for whole words."""
    words, current = [], ""
    for char in text:
        if char.isalnum():
            current += char
        else:
            if current:
                words.append(current)
            current = ""
    return [*words, current] if current else words


@given(
    st.lists(
        st.sampled_from(["refund", "refunds", "xrefund", "refundx", "é", "a", "1"]), max_size=60
    ),
    st.sampled_from([" ", "-", "_", ".", ""]),
)
def test_a_keyword_is_found_as_a_whole_word_however_often_it_occurs_inside_others(
    parts: list[str], separator: str
) -> None:
    from taskgate.scoring.text import STOPWORDS, KeywordIndex, fold, stem

    text = separator.join(parts)
    folded = fold(text)
    oracle = any(w not in STOPWORDS and stem(w) == "refund" for w in _words_by_hand(folded))
    assert ("refund" in KeywordIndex([text])) is oracle


def test_megabytes_of_near_misses_are_one_pass() -> None:
    from taskgate.scoring.text import KeywordIndex

    evidence = KeywordIndex(["xrefundx " * 500_000 + "the refund"])
    assert "refund" in evidence
    assert "refund" not in KeywordIndex(["xrefundx refundxq " * 500_000])

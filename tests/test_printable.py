"""Control and reordering characters from the input are shown as escapes."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from taskgate.printable import printable


def test_escape_sequences_and_overrides_are_shown_not_obeyed() -> None:
    assert printable("r-1\x1b[2K\x1b[1A") == "r-1\\x1b[2K\\x1b[1A"
    assert printable("gpt\u202e4-") == "gpt\\u202e4-"
    assert printable("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert printable("\x9b31m") == "\\x9b31m"  # the one-byte C1 form of ESC [
    assert printable("zero\u200bwidth\ufeff") == "zero\\u200bwidth\\ufeff"


def test_ordinary_text_is_left_alone() -> None:
    for text in ("Café", "日本語", "r-00001", "emoji 🚀", "ä\u0301", ""):
        assert printable(text) is text


@given(st.text())
def test_no_control_or_bidi_character_survives(text: str) -> None:
    shown = printable(text)
    assert not any(unicodedata.category(c) == "Cc" for c in shown)
    assert not any(
        unicodedata.bidirectional(c)
        in {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
        for c in shown
    )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf"))))
def test_text_without_controls_or_format_characters_is_unchanged(text: str) -> None:
    assert printable(text) == text

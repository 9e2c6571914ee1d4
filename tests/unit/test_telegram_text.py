"""Long HTML texts are split so every part fits Telegram's limit, checked with the playground's parser."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.playground.entities import parse_html, utf16_len
from storage.telegram_text import MAX_MESSAGE, html_length, split_html


def visible(part: str) -> str:
    """The text Telegram shows (raises on HTML it would refuse)."""
    return parse_html(part)[0]


def test_length_is_measured_after_parsing_in_utf16_units() -> None:
    assert html_length("<b>ab</b> &lt;c&gt;") == len("ab <c>")
    assert html_length("😀") == 2 and html_length('<a href="https://x.nl/?a=1&amp;b=2">x</a>') == 1


def test_a_text_that_fits_is_left_alone() -> None:
    text = "<b>Kop</b>\n\n" + "a" * (MAX_MESSAGE - 5)
    assert split_html(text) == [text]


def test_split_at_paragraphs_and_tags_reopened() -> None:
    first, second = "x" * 3000, "y" * 3000
    parts = split_html(f"<b>Titel</b>\n\n<i>{first}\n\n{second}</i>")
    assert [visible(p) for p in parts] == [f"Titel\n\n{first}", second]
    assert parts[1] == f"<i>{second}</i>"


def test_a_long_line_splits_at_spaces_and_never_inside_an_entity() -> None:
    text = " ".join(["&lt;b&gt;woord&amp;"] * 1500)  # 14,999 characters once parsed
    parts = split_html(text)
    assert len(parts) == 4 and all(utf16_len(visible(p)) <= MAX_MESSAGE for p in parts)
    assert " ".join(visible(p) for p in parts) == visible(text)


def test_emoji_count_double() -> None:
    parts = split_html("😀" * 3000)
    assert [utf16_len(visible(p)) for p in parts] == [4096, 1904]
    assert "".join(visible(p) for p in parts) == "😀" * 3000


words = st.text(alphabet=st.sampled_from(list("ab é😀<>&\n")), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "b", "i", "code"]), words), min_size=1, max_size=60),
       st.integers(min_value=20, max_value=300))
def test_any_text_splits_into_well_formed_parts_that_fit(pieces: list[tuple[str, str]], limit: int) -> None:
    import html

    text = "".join(f"<{tag}>{html.escape(w, quote=False)}</{tag}>" if tag else html.escape(w, quote=False)
                   for tag, w in pieces)
    parts = split_html(text, limit)
    for part in parts:
        assert utf16_len(visible(part)) <= limit
    # Nothing is lost but the whitespace at the splits.
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    assert squeeze("".join(visible(p) for p in parts)) == squeeze(visible(text))

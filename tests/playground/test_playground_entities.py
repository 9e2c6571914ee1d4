"""Unit tests for the HTML parse mode and command detection."""

from __future__ import annotations

import pytest

from bot.playground.entities import EntityParseError, command_entities, parse_html


def test_nested_tags_and_utf16_offsets() -> None:
    text, entities = parse_html("🏠 <b>Straat <i>feest</i></b> &quot;ok&quot; &#x27;x&#39;")
    assert text == "🏠 Straat feest \"ok\" 'x'"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 12},
        {"type": "italic", "offset": 10, "length": 5},
    ]


def test_links_spoilers_code_and_quotes() -> None:
    source = (
        '<a href="https://wijk.nl/?a=1&amp;b=2">site</a> <tg-spoiler>s</tg-spoiler> '
        '<span class="tg-spoiler">t</span> <pre><code class="language-python">x</code></pre> '
        "<blockquote expandable>q</blockquote> <u>u</u><s>s</s><code>c</code>"
    )
    _, entities = parse_html(source)
    kinds = [(e["type"], e.get("url") or e.get("language")) for e in entities]
    assert kinds == [
        ("text_link", "https://wijk.nl/?a=1&b=2"),
        ("spoiler", None),
        ("spoiler", None),
        ("pre", "python"),
        ("expandable_blockquote", None),
        ("underline", None),
        ("strikethrough", None),
        ("code", None),
    ]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a < b", 'Unsupported start tag ""'),
        ("a & b", 'Unescaped "&"'),
        ("&nbsp;", "Unsupported HTML entity"),
        ("<b>x</i>", "Unmatched end tag"),
        ("<b>x", "Can't find end tag"),
        ("x</b>", "Unexpected end tag"),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b", "Unclosed start tag"),
        ('<span class="x">y</span>', 'must have class "tg-spoiler"'),
    ],
)
def test_invalid_html(source: str, message: str) -> None:
    with pytest.raises(EntityParseError, match=message):
        parse_html(source)


def test_command_entities() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities("/vote@wijkbot_playground_bot ja")[0]["length"] == 28
    assert command_entities("zie /help") == [{"type": "bot_command", "offset": 4, "length": 5}]
    assert command_entities("a/b and https://x.nl/path") == []

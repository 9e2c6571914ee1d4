"""Telegram's text limits, measured the way Telegram measures them, and splitting HTML text to fit.

Telegram counts a message's length after parsing its entities (tags count nothing, `&lt;` counts as
one character) in UTF-16 code units (most emoji count two). A text over the limit is refused
outright, so a long text is split into several messages: at a paragraph break if there is one, else
at a line break, else at a space, never inside a tag or an entity; tags open at a split are closed at
the end of one part and opened again at the start of the next.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_MESSAGE = 4096  # sendMessage / editMessageText text
MAX_CAPTION = 1024  # captions of photos and documents
MAX_CALLBACK_DATA = 64  # bytes of a button's callback_data

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]", re.DOTALL)
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def utf16_length(text: str) -> int:
    """How many UTF-16 code units `text` takes."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Token:
    """A tag, an entity or one character of the HTML source, with the length Telegram sees."""

    source: str
    visible: str  # what it becomes after parsing ("" for a tag)

    @property
    def is_tag(self) -> bool:
        return self.source.startswith("<")

    @property
    def is_closing(self) -> bool:
        return self.source.startswith("</")


def _tokens(text: str) -> list[_Token]:
    """The HTML source as tokens (a lone `<` or `&` is taken as one character)."""
    found: list[_Token] = []
    for match in _TOKEN.finditer(text):
        source = match.group()
        if source.startswith("<"):
            found.append(_Token(source, ""))
        elif source.startswith("&") and len(source) > 1:
            found.append(_Token(source, html.unescape(source)))
        else:
            found.append(_Token(source, source))
    return found


def html_length(text: str) -> int:
    """The length of HTML text as Telegram counts it: after parsing, in UTF-16 code units."""
    return sum(utf16_length(token.visible) for token in _tokens(text))


def _name(tag: str) -> str:
    """The tag's name in lower case."""
    match = _TAG_NAME.match(tag)
    return match.group(1).lower() if match else ""


def _break_rank(tokens: list[_Token], index: int) -> int:
    """How good a split just before tokens[index] is: 3 paragraph, 2 line, 1 space, 0 anywhere."""
    token = tokens[index]
    if token.visible == "\n":
        return 3 if index + 1 < len(tokens) and tokens[index + 1].visible == "\n" else 2
    return 1 if token.visible == " " else 0


def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """`text` as one or more HTML texts of at most `limit` (as Telegram counts), each well-formed."""
    if 2 * len(text) <= limit or html_length(text) <= limit:  # the first test is the quick one for short texts
        return [text]
    tokens = _tokens(text)
    parts: list[str] = []
    open_tags: list[str] = []  # the opening tags in force where the current part starts
    start = 0
    while start < len(tokens):
        # How far this part can reach: every token whose visible text still fits.
        used, end, fuller = 0, start, start + 1  # breaks before `fuller` would leave a part under a quarter full
        while end < len(tokens):
            size = utf16_length(tokens[end].visible)
            if used + size > limit:
                break
            used += size
            end += 1
            if used <= limit // 4:
                fuller = end
        if end < len(tokens):
            best = max(range(min(fuller, end), end + 1), key=lambda i: (_break_rank(tokens, i), i))
            end = max(best if _break_rank(tokens, best) > 0 else end, start + 1)
        piece, stack = _render(tokens[start:end], open_tags)
        parts.append(piece)
        open_tags = stack
        start = end
        # The separator itself (newlines or a space) is not repeated at the start of the next part.
        while start < len(tokens) and tokens[start].visible in ("\n", " "):
            start += 1
    kept = [part for part in parts if _visible(part).strip()]  # Telegram refuses an empty text
    return kept or parts[-1:]


def _visible(text: str) -> str:
    """The text after parsing."""
    return "".join(token.visible for token in _tokens(text))


def _render(tokens: list[_Token], open_tags: list[str]) -> tuple[str, list[str]]:
    """The tokens as a well-formed part (tags open before it reopened, tags still open closed),
    and the opening tags still in force after it."""
    stack = list(open_tags)
    body: list[str] = []
    for token in tokens:
        body.append(token.source)
        if not token.is_tag:
            continue
        if token.is_closing:
            name = _name(token.source)
            for position in range(len(stack) - 1, -1, -1):
                if _name(stack[position]) == name:
                    del stack[position]
                    break
        elif not token.source.endswith("/>"):
            stack.append(token.source)
    closing = "".join(f"</{_name(tag)}>" for tag in reversed(stack))
    return "".join(open_tags) + "".join(body).rstrip("\n ") + closing, stack

"""Message entities: Telegram's HTML parse mode and automatic bot_command detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_:.-]*")
_UNQUOTED_VALUE = re.compile(r"[^\s>\"'=<`]+")
_HTML_ENTITY = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});")
_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@/])")

Entity = dict[str, Any]


class EntityParseError(ValueError):
    """Raised when marked-up text cannot be parsed the way Telegram parses it."""


class UnsupportedParseModeError(ValueError):
    """Raised for a parse_mode Telegram does not know."""


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units, the unit Telegram uses for entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[Entity]:
    """Detect bot_command entities the way Telegram does for incoming messages."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for m in _BOT_COMMAND.finditer(text)
    ]


def parse_html(source: str) -> tuple[str, list[Entity]]:
    """Parse Telegram-flavoured HTML into plain text and entities (strictly)."""
    return _HtmlParser(source).parse()


@dataclass
class _OpenTag:
    """A start tag waiting for its end tag."""

    name: str
    entity_type: str | None
    offset: int
    extra: dict[str, str] = field(default_factory=dict)


class _HtmlParser:
    """Single-pass parser for the HTML subset the Bot API accepts."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.text: list[str] = []
        self.length = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[Entity] = []

    def parse(self) -> tuple[str, list[Entity]]:
        """Run the parser over the whole source."""
        src = self.source
        while self.pos < len(src):
            char = src[self.pos]
            if char == "<":
                if src.startswith("</", self.pos):
                    self._end_tag()
                else:
                    self._start_tag()
            elif char == "&":
                self._append(self._entity())
            else:
                stop = len(src)
                for marker in ("<", "&"):
                    found = src.find(marker, self.pos)
                    if found != -1:
                        stop = min(stop, found)
                self._append(src[self.pos : stop])
                self.pos = stop
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.text), self.entities

    def _byte_offset(self, index: int) -> int:
        """UTF-8 byte offset of a source index, as Telegram reports it."""
        return len(self.source[:index].encode("utf-8"))

    def _append(self, chunk: str) -> None:
        """Add plain text to the output."""
        self.text.append(chunk)
        self.length += utf16_len(chunk)

    def _entity(self) -> str:
        """Decode one HTML character reference at the current position."""
        match = _HTML_ENTITY.match(self.source, self.pos)
        offset = self._byte_offset(self.pos)
        if match is None:
            raise EntityParseError(f'Unescaped "&" at byte offset {offset}, use "&amp;"')
        body = match.group(1)
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise EntityParseError(f"Invalid character reference at byte offset {offset}")
            decoded = chr(code)
        elif body in _NAMED_ENTITIES:
            decoded = _NAMED_ENTITIES[body]
        else:
            raise EntityParseError(f'Unsupported HTML entity "&{body};" at byte offset {offset}')
        self.pos = match.end()
        return decoded

    def _skip_spaces(self) -> None:
        """Move past whitespace inside a tag."""
        while self.pos < len(self.source) and self.source[self.pos].isspace():
            self.pos += 1

    def _start_tag(self) -> None:
        """Parse a start tag and push it on the stack."""
        start = self.pos
        offset = self._byte_offset(start)
        match = _TAG_NAME.match(self.source, start + 1)
        name = match.group().lower() if match else ""
        if match is None or name not in _TAG_TYPES:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {offset}')
        self.pos = match.end()
        attrs = self._attributes(name, offset)
        self.stack.append(self._open_tag(name, attrs, offset))

    def _attributes(self, tag: str, offset: int) -> dict[str, str]:
        """Parse attributes up to and including the closing '>'."""
        attrs: dict[str, str] = {}
        src = self.source
        while True:
            self._skip_spaces()
            if self.pos >= len(src):
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            if src[self.pos] == ">":
                self.pos += 1
                return attrs
            match = _ATTR_NAME.match(src, self.pos)
            if match is None:
                raise EntityParseError(
                    f'Unexpected character in tag "{tag}" at byte offset '
                    f"{self._byte_offset(self.pos)}"
                )
            self.pos = match.end()
            self._skip_spaces()
            value = ""
            if self.pos < len(src) and src[self.pos] == "=":
                self.pos += 1
                self._skip_spaces()
                value = self._attribute_value(offset)
            attrs[match.group().lower()] = value

    def _attribute_value(self, offset: int) -> str:
        """Parse a quoted or unquoted attribute value, decoding character references."""
        src = self.source
        if self.pos < len(src) and src[self.pos] in "\"'":
            quote = src[self.pos]
            end = src.find(quote, self.pos + 1)
            if end == -1:
                raise EntityParseError(f"Unclosed start tag at byte offset {offset}")
            raw = src[self.pos + 1 : end]
            self.pos = end + 1
        else:
            match = _UNQUOTED_VALUE.match(src, self.pos)
            if match is None:
                raise EntityParseError(f"Expected attribute value at byte offset {offset}")
            raw = match.group()
            self.pos = match.end()
        return _decode_attribute(raw, offset)

    def _open_tag(self, name: str, attrs: dict[str, str], offset: int) -> _OpenTag:
        """Turn a parsed start tag into a stack entry with its entity type."""
        entity_type: str | None = _TAG_TYPES[name]
        extra: dict[str, str] = {}
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {offset}'
            )
        if name == "a":
            href = attrs.get("href", "").strip()
            if href:
                extra["url"] = href
            else:
                entity_type = None
        elif name == "blockquote" and "expandable" in attrs:
            entity_type = "expandable_blockquote"
        elif name == "code" and self.stack and self.stack[-1].name == "pre":
            language = attrs.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                self.stack[-1].extra["language"] = language[len("language-") :]
                entity_type = None
        return _OpenTag(name, entity_type, self.length, extra)

    def _end_tag(self) -> None:
        """Parse an end tag and emit the entity it closes."""
        offset = self._byte_offset(self.pos)
        match = _TAG_NAME.match(self.source, self.pos + 2)
        name = match.group().lower() if match else ""
        self.pos = match.end() if match else self.pos + 2
        self._skip_spaces()
        if self.pos >= len(self.source) or self.source[self.pos] != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {offset}")
        self.pos += 1
        if not self.stack:
            raise EntityParseError(f'Unexpected end tag "{name}" at byte offset {offset}')
        top = self.stack[-1]
        if top.name != name:
            raise EntityParseError(
                f'Unmatched end tag at byte offset {offset}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        self.stack.pop()
        length = self.length - top.offset
        if top.entity_type and length > 0:
            self.entities.append(
                {"type": top.entity_type, "offset": top.offset, "length": length, **top.extra}
            )


def _decode_attribute(raw: str, offset: int) -> str:
    """Decode character references inside an attribute value."""

    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body.startswith("#"):
            code = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
            return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""
        if body in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[body]
        raise EntityParseError(f'Unsupported HTML entity "&{body};" at byte offset {offset}')

    return _HTML_ENTITY.sub(replace, raw)


def format_text(
    text: str, parse_mode: str | None, entities: list[Entity] | None
) -> tuple[str, list[Entity]]:
    """Apply a parse mode (HTML parsed; Markdown modes stored as-is) or explicit entities."""
    mode = (parse_mode or "").strip().lower()
    if mode == "html":
        return parse_html(text)
    if mode in ("", "markdown", "markdownv2"):
        return text, [dict(e) for e in entities or [] if isinstance(e, dict)]
    raise UnsupportedParseModeError(parse_mode)

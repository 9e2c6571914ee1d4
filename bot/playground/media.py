"""Helpers for file contents: image sizes, photo thumbnails, MIME types."""

from __future__ import annotations

import mimetypes
import struct
import zlib

PHOTO_SIZE_LIMITS = (90, 320, 800, 1280)
MAX_PHOTO_SIDE = 2560


def _png(width: int, height: int) -> bytes:
    """Build a small valid grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


DEFAULT_PNG = _png(4, 3)
DEFAULT_VOICE = b"OggS\x00playground-voice"
DEFAULT_STICKER = b"RIFF\x00\x00\x00\x00WEBPplayground-sticker"


def image_size(data: bytes) -> tuple[int, int] | None:
    """Read width and height from PNG, GIF or JPEG bytes; None if unknown."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk JPEG segments to the frame header."""
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram would generate for a photo, smallest first."""
    scale_to = min(1.0, MAX_PHOTO_SIDE / max(width, height, 1))
    full = (max(1, round(width * scale_to)), max(1, round(height * scale_to)))
    sizes = []
    for limit in PHOTO_SIZE_LIMITS:
        if max(full) > limit:
            factor = limit / max(full)
            sizes.append((max(1, round(full[0] * factor)), max(1, round(full[1] * factor))))
    sizes.append(full)
    return sizes


def image_extension(data: bytes) -> str:
    """A file extension for image bytes (defaults to .jpg like Telegram)."""
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data[:3] == b"GIF":
        return ".gif"
    return ".jpg"


def guess_mime_type(file_name: str | None, declared: str | None) -> str:
    """Pick a MIME type from the declared one or the file name."""
    if declared and declared != "application/octet-stream":
        return declared
    if file_name:
        guessed = mimetypes.guess_type(file_name, strict=False)[0]
        if guessed:
            return guessed
    return declared or "application/octet-stream"

"""In-memory file storage: file_ids, photo size groups and downloadable paths."""

from __future__ import annotations

import re

from .errors import bad_request
from .media import (
    DEFAULT_STICKER,
    DEFAULT_VOICE,
    guess_mime_type,
    image_extension,
    image_size,
    photo_dimensions,
)
from .models import JSON, StoredFile

_KIND_NAMES = {"photo": "Photo", "document": "Document", "voice": "Voice", "sticker": "Sticker"}
_SAFE_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}$")
DEFAULT_IMAGE_SIZE = (1280, 960)


class FileStore:
    """Keeps file bytes by file_id and by file_path."""

    def __init__(self) -> None:
        self._counter = 0
        self.clear()

    def clear(self) -> None:
        """Forget all files (ids keep increasing so old ids never come back)."""
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self.photo_groups: dict[str, list[str]] = {}

    def _next(self) -> int:
        """Next file number."""
        self._counter += 1
        return self._counter

    def _add(self, stored: StoredFile) -> StoredFile:
        """Index a file by id and path."""
        self.by_id[stored.file_id] = stored
        self.by_path[stored.file_path] = stored
        return stored

    def add_photo(self, data: bytes) -> list[JSON]:
        """Store photo bytes and return its PhotoSize list, smallest first."""
        number = self._next()
        group = f"photo{number}"
        width, height = image_size(data) or DEFAULT_IMAGE_SIZE
        extension = image_extension(data)
        ids = []
        for index, (w, h) in enumerate(photo_dimensions(width, height)):
            stored = StoredFile(
                file_id=f"PGPhoto{number}_{index}",
                file_unique_id=f"PGU{number}_{index}",
                kind="photo",
                data=data,
                file_path=f"photos/file_{number}_{index}{extension}",
                mime_type="image/png" if extension == ".png" else "image/jpeg",
                width=w,
                height=h,
                group=group,
            )
            ids.append(self._add(stored).file_id)
        self.photo_groups[group] = ids
        return self.photo_json(group)

    def photo_json(self, group: str) -> list[JSON]:
        """PhotoSize objects of one photo."""
        sizes = []
        for file_id in self.photo_groups[group]:
            stored = self.by_id[file_id]
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.data),
                    "width": stored.width,
                    "height": stored.height,
                }
            )
        return sizes

    def add_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> JSON:
        """Store a document and return its Document object."""
        number = self._next()
        name = file_name or f"file_{number}"
        suffix = _SAFE_SUFFIX.search(name)
        stored = self._add(
            StoredFile(
                file_id=f"PGDoc{number}",
                file_unique_id=f"PGU{number}",
                kind="document",
                data=data,
                file_path=f"documents/file_{number}{suffix.group() if suffix else ''}",
                mime_type=guess_mime_type(name, mime_type),
                file_name=name,
            )
        )
        return self.document_json(stored)

    @staticmethod
    def document_json(stored: StoredFile) -> JSON:
        """The Document object of a stored file."""
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.data),
        }

    def add_voice(self, data: bytes | None, duration: int) -> JSON:
        """Store a voice note and return its Voice object."""
        number = self._next()
        stored = self._add(
            StoredFile(
                file_id=f"PGVoice{number}",
                file_unique_id=f"PGU{number}",
                kind="voice",
                data=data or DEFAULT_VOICE,
                file_path=f"voice/file_{number}.oga",
                mime_type="audio/ogg",
            )
        )
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.data),
        }

    def add_sticker(self, emoji: str) -> JSON:
        """Store a sticker and return its Sticker object."""
        number = self._next()
        stored = self._add(
            StoredFile(
                file_id=f"PGSticker{number}",
                file_unique_id=f"PGU{number}",
                kind="sticker",
                data=DEFAULT_STICKER,
                file_path=f"stickers/file_{number}.webp",
                mime_type="image/webp",
                width=512,
                height=512,
            )
        )
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.data),
        }

    def _lookup(self, file_id: str, kind: str) -> StoredFile:
        """Find a file by id and check it can be used as the given kind."""
        stored = self.by_id.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(
                f"can't use file of type {_KIND_NAMES[stored.kind]} as {_KIND_NAMES[kind]}"
            )
        return stored

    def reuse_photo(self, file_id: str) -> list[JSON]:
        """PhotoSize list for a photo sent again by file_id."""
        stored = self._lookup(file_id, "photo")
        return self.photo_json(stored.group or "")

    def reuse_document(self, file_id: str) -> JSON:
        """Document object for a document sent again by file_id."""
        return self.document_json(self._lookup(file_id, "document"))

    def get_file(self, file_id: str) -> JSON:
        """The File object for getFile."""
        stored = self.by_id.get(file_id)
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.file_json()

    def read(self, file_path: str) -> StoredFile | None:
        """A stored file by its download path."""
        return self.by_path.get(file_path)

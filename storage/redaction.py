"""Redaction reaching every copy: what was sent (or is still owed) that quotes a request's old text or photos.

A request's text is quoted in many shapes: whole or cut to an excerpt (always from its start),
HTML-escaped, with its whitespace collapsed, inside JSON (an export) or inside an HTML document
(a contract). `replace_text` finds each of those shapes of the old text, however far the copy
goes, and puts the same shape of the new text there. Binary documents (a contract's PDF) cannot
be searched, so a delivered one loses its body; the document itself is rendered again from the
redacted data when asked for (see storage/contracts.py `redact_request`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import enqueue, sent_messages

REMOVED = "[…]"
MIN_MATCH = 20  # characters of the old text's start that identify a copy (a request has at least 20)
DRAFTING = timedelta(days=1)  # previews shown while the request was being drafted come before it was filed


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _escape(text: str) -> str:
    return html.escape(text)


def _html_lines(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


SHAPES: list[Callable[[str], str]] = [
    lambda t: t, _escape, _html_lines, _collapse, lambda t: _escape(_collapse(t)),
    _json, lambda t: _json(_escape(t)), lambda t: _json(_html_lines(t)), lambda t: _json(_collapse(t)),
]


def _replace_copies(value: str, old: str, new: str) -> str:
    """Every copy of `old` in `value` (the whole or a start of at least MIN_MATCH characters) becomes as much of `new`."""
    probe = old[:MIN_MATCH]
    if not probe or probe not in value:
        return value
    out, position = [], 0
    while (start := value.find(probe, position)) >= 0:
        length = len(probe)
        while length < len(old) and start + length < len(value) and value[start + length] == old[length]:
            length += 1
        out += [value[position:start], new if length == len(old) else new[:length]]
        position = start + length
    out.append(value[position:])
    return "".join(out)


def replace_text(value: str, *, old: str, new: str) -> str:
    """`value` with every shape of the old text replaced by the same shape of the new one."""
    seen: set[str] = set()
    for shape in SHAPES:
        old_shape = shape(old)
        if old_shape in seen:
            continue
        seen.add(old_shape)
        value = _replace_copies(value, old_shape, shape(new))
    return value


def _scrub(value: Any, *, old: str | None, new: str, file_ids: set[str]) -> Any:
    """A payload (any JSON) with the old text and the removed photos taken out."""
    if isinstance(value, str):
        if value in file_ids:
            return REMOVED
        return replace_text(value, old=old, new=new) if old else value
    if isinstance(value, list):
        return [_scrub(item, old=old, new=new, file_ids=file_ids) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, old=old, new=new, file_ids=file_ids) for key, item in value.items()}
    return value


def scrub_outbox(session: Session, *, since: datetime, old_text: str | None = None, new_text: str = "",
                 photo_file_ids: list[str] | tuple[str, ...] = (), request_id: int | None = None) -> None:
    """Take the old text and the photos out of every message since `since` (pending or sent, to anyone).

    The photos of request `request_id` already delivered (as recorded in SentMessage) are deleted from
    their chats; a photo message still owed is not sent. Delivered PDF documents lose their body (a
    PDF cannot be searched for the text).
    """
    file_ids = set(photo_file_ids)
    if file_ids and request_id is not None:
        for sent in sent_messages(session, subject_type="request", subject_id=request_id, kind="photo"):
            enqueue(session, chat_id=sent.chat_id, method="deleteMessage", subject_type="request",
                    subject_id=request_id, payload={"chat_id": sent.chat_id, "message_id": sent.message_id})
            session.delete(sent)
    rows = session.exec(select(OutboxMessage.id, OutboxMessage.method, OutboxMessage.payload, OutboxMessage.status)
                        .where(OutboxMessage.created_at >= since - DRAFTING)).all()
    for row_id, method, payload, status in rows:
        changes: dict[str, Any] = {}
        scrubbed = _scrub(payload, old=old_text, new=new_text, file_ids=file_ids)
        if method == "sendPhoto" and status == OutboxStatus.PENDING and payload.get("photo") in file_ids:
            changes.update(status=OutboxStatus.FAILED, last_error="photo removed by redaction")
        document = scrubbed.get("document")
        if (old_text and status != OutboxStatus.PENDING and isinstance(document, dict)
                and document.get("content_base64") and document.get("mime_type") == "application/pdf"):
            scrubbed["document"] = {**document, "content_base64": "", "removed_by": "redaction"}
        if scrubbed != payload:
            changes["payload"] = scrubbed
        if changes:
            # A plain UPDATE by id: the dispatcher may hold (or have forgotten) the row meanwhile.
            session.connection().execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**changes))


def _name_pattern(names: set[str]) -> re.Pattern[str] | None:
    """Each name (and its HTML-escaped form) as a whole word."""
    forms = sorted({form for name in names if name.strip() for form in (name, html.escape(name))}, key=len, reverse=True)
    if not forms:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(form) for form in forms) + r")(?!\w)")


def _replace_names(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REMOVED, value)
    if isinstance(value, list):
        return [_replace_names(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _replace_names(item, pattern) for key, item in value.items()}
    return value


def forget_names_in_outbox(session: Session, *, names: set[str], drop_pdfs: bool = False) -> None:
    """An erased member's names out of every message sent or owed (to anyone); with `drop_pdfs`,
    delivered PDF documents (a contract they signed) lose their body too."""
    pattern = _name_pattern(names)
    if pattern is None and not drop_pdfs:
        return
    for row_id, payload, status in session.exec(select(OutboxMessage.id, OutboxMessage.payload,
                                                       OutboxMessage.status)).all():
        scrubbed = _replace_names(payload, pattern) if pattern is not None else payload
        document = scrubbed.get("document")
        if (drop_pdfs and status != OutboxStatus.PENDING and isinstance(document, dict)
                and document.get("content_base64") and document.get("mime_type") == "application/pdf"):
            scrubbed = {**scrubbed, "document": {**document, "content_base64": "", "removed_by": "erasure"}}
        if scrubbed != payload:
            session.connection().execute(update(OutboxMessage).where(OutboxMessage.id == row_id)
                                         .values(payload=scrubbed))

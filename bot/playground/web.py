"""The playground's web chat: play the personas in a browser (playground only; never with a real token).

Routes, mounted by `make_app` next to the Bot API and the control API:

- `GET /` the page, `GET /static/{name}` its CSS and JS (no build step, nothing from the network);
- `GET /web/api/personas` the personas and their chats (this also makes sure those chats exist, so the bot
  can message them);
- `GET /web/api/events?persona=ID` Server-Sent Events: a snapshot of the persona's chats, then every new,
  edited or deleted message in them as it happens;
- `POST /web/api/send` a persona sends text, a location, a contact (JSON) or a photo/document (multipart);
- `POST /web/api/press` a persona presses an inline button; answers with the bot's callback answer;
- `GET /web/files/{file_id}` the bytes of a stored photo or document.
"""

from __future__ import annotations

import base64
import json
import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .appkey import PLAYGROUND_KEY
from .errors import PlaygroundError
from .models import JSON
from .personas import PERSONAS, Persona, chats_of
from .state import BOT_FIRST_NAME, BOT_USERNAME, Playground

STATIC_DIR = Path(__file__).with_name("static")
HEARTBEAT_SECONDS = 15.0
CALLBACK_ANSWER_WAIT = 5.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for photos
MAX_DOCUMENT_BYTES = 40 * 1024 * 1024  # stays below the server's upload limit once base64 encoded
ROLE_LABELS = {"resident": "bewoner", "wijkraad": "wijkraad", "partner": "partner", "coordinator": "coördinator"}
DEFAULT_LOCATION = {"latitude": 52.377, "longitude": 4.627, "label": "Leidsebuurt"}
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "connect-src 'self'; media-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
STATIC_TYPES = {".html": "text/html", ".css": "text/css", ".js": "text/javascript"}
INLINE_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")

routes = web.RouteTableDef()


# ── the personas' world ──────────────────────────────────────────────────────────────────────────


def persona_by_id(value: Any) -> Persona:
    """The persona with this user id, or 404."""
    try:
        user_id = int(value)
    except (TypeError, ValueError):
        raise PlaygroundError(400, "persona must be a user id") from None
    for persona in PERSONAS:
        if persona.user_id == user_id:
            return persona
    raise PlaygroundError(404, f"no persona {user_id}")


def chat_spec(persona: Persona, chat_id: Any) -> dict[str, Any]:
    """The chat (as inject_message takes it) if the persona is in it, or 403."""
    try:
        wanted = int(chat_id)
    except (TypeError, ValueError):
        raise PlaygroundError(400, "chat_id must be an integer") from None
    for chat in chats_of(persona):
        if chat["id"] == wanted:
            if chat["type"] == "private":
                return {"id": wanted, "type": "private"}
            return dict(chat)
    raise PlaygroundError(403, f"{persona.first_name} is not in chat {wanted}")


def ensure_personas(pg: Playground) -> None:
    """Register the personas (private chats the bot may message) and create their groups with their members.

    Idempotent and quiet when everything exists; runs again after a reset of the playground.
    """
    missing = [p.user() for p in PERSONAS if p.user_id not in pg.users or p.user_id not in pg.chats]
    if missing:
        pg.register_users(missing)
    changed = False
    for persona in PERSONAS:
        for spec in chats_of(persona):
            if spec["type"] == "private":
                continue
            chat = pg.chats.get(int(spec["id"]))  # type: ignore[call-overload]
            if chat is None or persona.user_id not in chat.members:
                pg._chat_for(pg.users[persona.user_id], dict(spec))  # first member is the group's creator
                changed = True
    if changed:
        pg.notifier.notify()


def chat_summaries(pg: Playground, persona: Persona) -> list[JSON]:
    """The persona's chats, as the page lists them."""
    summaries = []
    for spec in chats_of(persona):
        chat = pg.chats.get(int(spec["id"]))  # type: ignore[call-overload]
        members = sorted(chat.members) if chat else []
        summaries.append({
            "id": spec["id"],
            "type": spec["type"],
            "title": spec.get("title") if spec["type"] != "private" else BOT_FIRST_NAME,
            "members": [pg.users.get(uid, {"id": uid}).get("first_name", str(uid)) for uid in members],
        })
    return summaries


def chat_messages(pg: Playground, persona: Persona, after_seq: int = 0) -> list[JSON]:
    """Messages in the persona's chats that are new, edited or deleted after after_seq (all when 0)."""
    found = []
    for spec in chats_of(persona):
        chat = pg.chats.get(int(spec["id"]))  # type: ignore[call-overload]
        if chat is None:
            continue
        for message in chat.messages.values():
            if message.seq > after_seq:
                found.append(pg._view(chat, message))
    found.sort(key=lambda view: view["seq"])
    return found


# ── helpers ──────────────────────────────────────────────────────────────────────────────────────

Handler = Callable[[Playground, web.Request], Awaitable[web.StreamResponse]]


def api(handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Give a handler the playground (with the personas' chats in place); errors become JSON."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        pg: Playground = request.app[PLAYGROUND_KEY]
        try:
            ensure_personas(pg)
            return await handler(pg, request)
        except PlaygroundError as error:
            return web.json_response({"ok": False, "error": error.description}, status=error.status)

    return wrapped


async def json_body(request: web.Request) -> dict[str, Any]:
    """A JSON object body, or 400."""
    try:
        body = await request.json()
    except ValueError:
        raise PlaygroundError(400, "request body must be JSON") from None
    if not isinstance(body, dict):
        raise PlaygroundError(400, "request body must be a JSON object")
    return body


def optional_int(value: Any, name: str) -> int | None:
    """An optional integer field."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PlaygroundError(400, f"{name} must be an integer") from None


def coordinate(value: Any, name: str, limit: float) -> float:
    """A latitude or longitude within ±limit."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PlaygroundError(400, f"{name} must be a number") from None
    if not -limit <= number <= limit:
        raise PlaygroundError(400, f"{name} must be between -{limit:g} and {limit:g}")
    return number


# ── the page ─────────────────────────────────────────────────────────────────────────────────────


@routes.get("/")
async def index(request: web.Request) -> web.StreamResponse:
    """The web chat page."""
    return web.FileResponse(STATIC_DIR / "index.html", headers={**PAGE_HEADERS, "Content-Type": "text/html; charset=utf-8"})


@routes.get("/static/{name}")
async def static(request: web.Request) -> web.StreamResponse:
    """One of the page's own files (only files directly in the static folder)."""
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise web.HTTPNotFound()
    content_type = STATIC_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    headers = {**PAGE_HEADERS, "Content-Type": f"{content_type}; charset=utf-8"}
    return web.FileResponse(path, headers=headers)


@routes.get("/web/api/personas")
@api
async def personas(pg: Playground, request: web.Request) -> web.StreamResponse:
    """Who can be played, in which chats."""
    return web.json_response({
        "bot": {"first_name": BOT_FIRST_NAME, "username": BOT_USERNAME},
        "default_location": DEFAULT_LOCATION,
        "personas": [
            {
                "id": p.user_id,
                "first_name": p.first_name,
                "language_code": p.language_code,
                "role": p.role,
                "role_label": ROLE_LABELS.get(p.role, p.role),
                "chats": chat_summaries(pg, p),
            }
            for p in PERSONAS
        ],
    })


def sse(event: str, data: JSON) -> bytes:
    """One Server-Sent Event."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


@routes.get("/web/api/events")
@api
async def events(pg: Playground, request: web.Request) -> web.StreamResponse:
    """The persona's chats as a stream: a snapshot, then every change (new, edited, deleted messages)."""
    persona = persona_by_id(request.query.get("persona"))
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
    })
    await response.prepare(request)
    chat_ids = [int(spec["id"]) for spec in chats_of(persona)]  # type: ignore[call-overload]
    try:
        while not pg.closed:
            # (Again) after a reset of the playground, which replaces the chats: a fresh snapshot.
            ensure_personas(pg)
            known = [pg.chats.get(chat_id) for chat_id in chat_ids]
            seq = pg._seq
            await response.write(sse("snapshot", {
                "chats": chat_summaries(pg, persona), "messages": chat_messages(pg, persona), "seq": seq,
            }))

            def replaced() -> bool:
                return any(pg.chats.get(chat_id) is not chat for chat_id, chat in zip(chat_ids, known))

            while not pg.closed:
                changed = await pg.notifier.wait_for(
                    lambda: pg.closed or pg._seq > seq or replaced(), HEARTBEAT_SECONDS)
                if pg.closed or replaced():
                    break
                if not changed:
                    await response.write(b": keep-alive\n\n")
                    continue
                fresh = chat_messages(pg, persona, seq)
                seq = pg._seq
                if fresh:
                    await response.write(sse("messages", {"messages": fresh, "seq": seq}))
    except ConnectionResetError:
        pass  # the page went away
    return response


async def _upload(request: web.Request) -> dict[str, Any]:
    """A multipart upload: persona, chat_id, optional caption and reply_to_message_id, and the file."""
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        raise PlaygroundError(400, "file is required")
    data = upload.file.read()
    content_type = upload.content_type or "application/octet-stream"
    as_photo = content_type in ("image/png", "image/jpeg") and form.get("as") != "document"
    limit = MAX_PHOTO_BYTES if as_photo else MAX_DOCUMENT_BYTES
    if len(data) > limit:
        raise PlaygroundError(413, f"the file is larger than {limit // (1024 * 1024)} MB")
    if not data:
        raise PlaygroundError(400, "the file is empty")
    encoded = base64.b64encode(data).decode("ascii")
    body: dict[str, Any] = {key: form.get(key) for key in ("persona", "chat_id", "reply_to_message_id")}
    caption = str(form.get("caption") or "").strip()
    if as_photo:
        body["photo"] = encoded
    else:
        body["document"] = {"file_name": upload.filename or "bestand", "base64": encoded, "mime_type": content_type}
    if caption:
        body["caption"] = caption
    return body


@routes.post("/web/api/send")
@api
async def send(pg: Playground, request: web.Request) -> web.StreamResponse:
    """A persona sends a message: text, location or contact (JSON), or a photo or document (multipart)."""
    if request.content_type.startswith("multipart/"):
        body = await _upload(request)
    else:
        body = await json_body(request)
    persona = persona_by_id(body.get("persona"))
    chat = chat_spec(persona, body.get("chat_id"))
    reply_to = optional_int(body.get("reply_to_message_id"), "reply_to_message_id")
    content: dict[str, Any] = {}
    if "photo" in body or "document" in body:
        content = {key: body[key] for key in ("photo", "document", "caption") if key in body}
    elif isinstance(body.get("location"), dict):
        location = body["location"]
        content["location"] = {
            "latitude": coordinate(location.get("latitude"), "latitude", 90),
            "longitude": coordinate(location.get("longitude"), "longitude", 180),
        }
    elif body.get("contact"):
        content["contact"] = {
            "phone_number": f"+316{persona.user_id:08d}", "first_name": persona.first_name, "user_id": persona.user_id,
        }
    else:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise PlaygroundError(400, "type a message first")
        if len(text) > 4096:
            raise PlaygroundError(400, "a message has at most 4096 characters")
        content["text"] = text
    result = pg.inject_message(persona.user(), chat, reply_to, **content)
    message = result.get("message", {})
    return web.json_response({"ok": True, "message_id": message.get("message_id"), "update_id": result["update_id"]})


@routes.post("/web/api/press")
@api
async def press(pg: Playground, request: web.Request) -> web.StreamResponse:
    """A persona presses an inline button; waits briefly for the bot's callback answer."""
    body = await json_body(request)
    persona = persona_by_id(body.get("persona"))
    chat = chat_spec(persona, body.get("chat_id"))
    message_id = optional_int(body.get("message_id"), "message_id")
    data = body.get("data")
    if message_id is None or not isinstance(data, str):
        raise PlaygroundError(400, "message_id and data are required")
    result = pg.inject_press(persona.user(), chat["id"], message_id, data)
    answer = await pg.wait_callback_answer(result["callback_query"]["id"], CALLBACK_ANSWER_WAIT)
    return web.json_response({"ok": True, "answer": answer})


@routes.get("/web/files/{file_id}")
async def file(request: web.Request) -> web.StreamResponse:
    """A stored photo or document; anything but a plain image downloads as an attachment."""
    pg: Playground = request.app[PLAYGROUND_KEY]
    stored = pg.files.by_id.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    mime = stored.mime_type or "application/octet-stream"
    name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
    inline = mime in INLINE_IMAGE_TYPES
    headers = {
        "Content-Disposition": f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}",
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    return web.Response(body=stored.data, content_type=mime if inline else "application/octet-stream",
                        headers=headers)


def add_web_routes(app: web.Application) -> None:
    """Register the web chat (the page, its static files and its small API)."""
    app.router.add_routes(routes)

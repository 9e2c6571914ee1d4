"""The JSON control API under /playground/ for tests and people."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .appkey import PLAYGROUND_KEY
from .errors import PlaygroundError
from .inject import CONTENT_KINDS
from .state import Playground

log = logging.getLogger(__name__)

Body = dict[str, Any]
MESSAGE_FIELDS = (*CONTENT_KINDS, "caption", "entities")
routes = web.RouteTableDef()


def _error(status: int, description: str) -> web.Response:
    """A control API error body."""
    return web.json_response({"ok": False, "error": description}, status=status)


async def _body(request: web.Request) -> Body:
    """The JSON request body (empty when absent)."""
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise PlaygroundError(400, "request body must be JSON") from None
    if not isinstance(body, dict):
        raise PlaygroundError(400, "request body must be a JSON object")
    return body


def _required(body: Body, *names: str) -> None:
    """Fail with 400 when a required field is missing."""
    missing = [name for name in names if name not in body]
    if missing:
        raise PlaygroundError(400, f"missing field(s): {', '.join(missing)}")


def _query_number(request: web.Request, name: str, default: float) -> float:
    """A numeric query string parameter."""
    try:
        return float(request.query.get(name, default))
    except ValueError:
        raise PlaygroundError(400, f"{name} must be a number") from None


Endpoint = Callable[[Playground, web.Request], Awaitable[web.Response]]


def endpoint(handler: Endpoint) -> Callable[[web.Request], Awaitable[web.Response]]:
    """Give a handler the playground and turn PlaygroundError into a JSON error."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            return await handler(request.app[PLAYGROUND_KEY], request)
        except PlaygroundError as error:
            return _error(error.status, error.description)
        except Exception as error:  # show bugs to the caller
            log.exception("control API failed on %s", request.path)
            return _error(500, f"internal error: {error!r}")

    return wrapped


@routes.get("/playground/")
@endpoint
async def index(pg: Playground, request: web.Request) -> web.Response:
    """List the control endpoints."""
    paths = sorted({f"{r.method} {r.path}" for r in routes if isinstance(r, web.RouteDef)})
    return web.json_response({"bot": pg.get_me(), "endpoints": paths})


@routes.post("/playground/message")
@endpoint
async def message(pg: Playground, request: web.Request) -> web.Response:
    """A user sends a message."""
    body = await _body(request)
    _required(body, "user")
    content = {key: body[key] for key in MESSAGE_FIELDS if key in body}
    result = pg.inject_message(
        body["user"], body.get("chat"), body.get("reply_to_message_id"), **content
    )
    return web.json_response(result)


@routes.post("/playground/edit")
@endpoint
async def edit(pg: Playground, request: web.Request) -> web.Response:
    """A user edits their message."""
    body = await _body(request)
    _required(body, "user", "chat_id", "message_id", "text")
    result = pg.inject_edit(body["user"], body["chat_id"], body["message_id"], body["text"])
    return web.json_response(result)


@routes.post("/playground/press")
@endpoint
async def press(pg: Playground, request: web.Request) -> web.Response:
    """A user presses an inline keyboard button."""
    body = await _body(request)
    _required(body, "user", "chat_id", "message_id")
    result = pg.inject_press(body["user"], body["chat_id"], body["message_id"], body.get("data"))
    return web.json_response(result)


@routes.post("/playground/raw")
@endpoint
async def raw(pg: Playground, request: web.Request) -> web.Response:
    """Enqueue any update object."""
    return web.json_response(pg.inject_raw(await _body(request)))


@routes.post("/playground/forged")
@endpoint
async def forged(pg: Playground, request: web.Request) -> web.Response:
    """Enqueue {"update": {...}} with the given "update_id" (any integer, e.g. beyond 64 bits)."""
    body = await _body(request)
    _required(body, "update", "update_id")
    return web.json_response(pg.inject_forged(body["update"], body["update_id"]))


@routes.post("/playground/redeliver")
@endpoint
async def redeliver(pg: Playground, request: web.Request) -> web.Response:
    """Deliver an earlier update again with its own update_id."""
    body = await _body(request)
    _required(body, "update_id")
    return web.json_response(pg.redeliver(body["update_id"]))


@routes.post("/playground/block")
@endpoint
async def block(pg: Playground, request: web.Request) -> web.Response:
    """Mark a user as having blocked the bot (or not)."""
    body = await _body(request)
    _required(body, "user_id")
    return web.json_response(pg.set_blocked(body["user_id"], bool(body.get("blocked", True))))


@routes.post("/playground/admin")
@endpoint
async def admin(pg: Playground, request: web.Request) -> web.Response:
    """Make a user or the bot a group administrator (or not)."""
    body = await _body(request)
    _required(body, "chat_id", "user_id")
    result = pg.set_admin(body["chat_id"], body["user_id"], bool(body.get("admin", True)))
    return web.json_response(result)


@routes.get("/playground/chats")
@endpoint
async def chats(pg: Playground, request: web.Request) -> web.Response:
    """Summaries of every chat."""
    return web.json_response(pg.chats_view())


@routes.get("/playground/chats/{chat_id}/messages")
@endpoint
async def messages(pg: Playground, request: web.Request) -> web.Response:
    """Stored messages of a chat after ?since=M."""
    since = int(_query_number(request, "since", 0))
    return web.json_response(pg.messages_view(request.match_info["chat_id"], since))


@routes.get("/playground/callback_answers/{callback_query_id}")
@endpoint
async def callback_answer(pg: Playground, request: web.Request) -> web.Response:
    """The bot's answer to a callback query; ?wait=S long-polls; 404 if none."""
    query_id = request.match_info["callback_query_id"]
    answer = await pg.wait_callback_answer(query_id, _query_number(request, "wait", 0.0))
    if answer is None:
        return _error(404, f"callback query {query_id} has not been answered")
    return web.json_response(answer)


@routes.get("/playground/commands")
@endpoint
async def commands(pg: Playground, request: web.Request) -> web.Response:
    """Stored command menus and menu buttons."""
    buttons = {str(key) if key is not None else "default": v for key, v in pg.menu_buttons.items()}
    return web.json_response({"menus": pg.commands_view(), "menu_buttons": buttons})


@routes.get("/playground/updates/pending")
@endpoint
async def pending(pg: Playground, request: web.Request) -> web.Response:
    """How many updates are not confirmed yet."""
    return web.json_response(pg.pending_view())


@routes.post("/playground/wait")
@endpoint
async def wait(pg: Playground, request: web.Request) -> web.Response:
    """Long-poll for bot messages in a chat; 408 with what exists on timeout."""
    body = await _body(request)
    _required(body, "chat_id")
    try:
        ok, result = await pg.wait_for_bot_messages(
            body["chat_id"],
            since=int(body.get("since", 0)),
            count=int(body.get("count", 1)),
            timeout=float(body.get("timeout", 10.0)),
            edits=bool(body.get("edits", False)),
            after_seq=None if body.get("after_seq") is None else int(body["after_seq"]),
        )
    except (TypeError, ValueError):
        raise PlaygroundError(400, "since, count, timeout and after_seq must be numbers") from None
    if not ok:
        return web.json_response({**result, "ok": False, "error": "timed out"}, status=408)
    return web.json_response({**result, "ok": True})


@routes.post("/playground/users/bulk")
@endpoint
async def users_bulk(pg: Playground, request: web.Request) -> web.Response:
    """Register many users with private chats the bot may message, without any updates."""
    body = await _body(request)
    _required(body, "users")
    return web.json_response(pg.register_users(body["users"]))


@routes.get("/playground/limits")
@endpoint
async def limits(pg: Playground, request: web.Request) -> web.Response:
    """The active flood limit settings."""
    return web.json_response(pg.limits.to_json())


@routes.post("/playground/limits")
@endpoint
async def set_limits(pg: Playground, request: web.Request) -> web.Response:
    """Switch Telegram's flood limits on or off; omitted settings take their defaults."""
    return web.json_response(pg.set_limits(await _body(request)))


@routes.get("/playground/faults")
@endpoint
async def faults(pg: Playground, request: web.Request) -> web.Response:
    """Pending injected faults."""
    return web.json_response(pg.faults_view())


@routes.post("/playground/faults")
@endpoint
async def set_faults(pg: Playground, request: web.Request) -> web.Response:
    """Inject 429s ({"mode": "429"}), an HTTP status for a while ("status"), 409 Conflict on getUpdates
    for a while ("conflict", as with a second instance polling), or "clear"."""
    return web.json_response(pg.set_faults(await _body(request)))


@routes.get("/playground/stats")
@endpoint
async def stats(pg: Playground, request: web.Request) -> web.Response:
    """Accepted sends, 429s and faults, in total and per chat."""
    return web.json_response(pg.stats_view())


@routes.post("/playground/stats/reset")
@endpoint
async def reset_stats(pg: Playground, request: web.Request) -> web.Response:
    """Zero the counters."""
    pg.reset_stats()
    return web.json_response(pg.stats_view())


@routes.post("/playground/reset")
@endpoint
async def reset(pg: Playground, request: web.Request) -> web.Response:
    """Clear all state, including limits, faults and stats."""
    pg.reset()
    return web.json_response({"ok": True})


def add_control_routes(app: web.Application) -> None:
    """Register the control API routes."""
    app.router.add_routes(routes)

"""aiohttp routes speaking the Telegram Bot API subset the bot uses."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from .appkey import PLAYGROUND_KEY
from .errors import PlaygroundError, bad_request
from .params import Params
from .settings import PROFILE_FIELDS
from .state import Playground
from .traffic import is_sending_method

log = logging.getLogger(__name__)

Handler = Callable[[Playground, Params], Any]
METHODS: dict[str, Handler] = {}
MARKUP_ERROR = "can't parse reply keyboard markup JSON object"


def method(name: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method handler (method names are case-insensitive)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


def _markup(p: Params) -> Any:
    """The reply_markup parameter."""
    return p.json("reply_markup", MARKUP_ERROR)


def _user_id(p: Params) -> int:
    """The required user_id parameter."""
    user_id = p.integer("user_id")
    if user_id is None:
        raise bad_request("user_id is empty")
    return user_id


@method("getMe")
def _get_me(pg: Playground, p: Params) -> Any:
    return pg.get_me()


@method("logOut")
@method("close")
def _log_out(pg: Playground, p: Params) -> Any:
    return True


@method("getUpdates")
async def _get_updates(pg: Playground, p: Params) -> Any:
    return await pg.get_updates(
        offset=p.integer("offset"),
        limit=p.integer("limit"),
        timeout=p.number("timeout", 0.0) or 0.0,
        allowed_updates=p.json("allowed_updates"),
    )


@method("setWebhook")
def _set_webhook(pg: Playground, p: Params) -> Any:
    return pg.set_webhook(
        p.text("url"),
        drop_pending_updates=p.flag("drop_pending_updates"),
        allowed_updates=p.json("allowed_updates"),
        max_connections=p.integer("max_connections"),
    )


@method("deleteWebhook")
def _delete_webhook(pg: Playground, p: Params) -> Any:
    return pg.delete_webhook(p.flag("drop_pending_updates"))


@method("getWebhookInfo")
def _webhook_info(pg: Playground, p: Params) -> Any:
    return pg.webhook_info()


@method("sendMessage")
def _send_message(pg: Playground, p: Params) -> Any:
    return pg.send_message(
        p.chat_id(),
        p.text("text", "") or "",
        parse_mode=p.text("parse_mode"),
        entities=p.json("entities"),
        reply_markup=_markup(p),
        reply_parameters=p.reply_parameters(),
    )


@method("sendPhoto")
def _send_photo(pg: Playground, p: Params) -> Any:
    return pg.send_photo(
        p.chat_id(),
        p.file("photo"),
        caption=p.text("caption"),
        parse_mode=p.text("parse_mode"),
        caption_entities=p.json("caption_entities"),
        reply_markup=_markup(p),
        reply_parameters=p.reply_parameters(),
    )


@method("sendDocument")
def _send_document(pg: Playground, p: Params) -> Any:
    return pg.send_document(
        p.chat_id(),
        p.file("document"),
        caption=p.text("caption"),
        parse_mode=p.text("parse_mode"),
        caption_entities=p.json("caption_entities"),
        reply_markup=_markup(p),
        reply_parameters=p.reply_parameters(),
    )


@method("sendLocation")
def _send_location(pg: Playground, p: Params) -> Any:
    return pg.send_location(
        p.chat_id(),
        p.required_number("latitude"),
        p.required_number("longitude"),
        horizontal_accuracy=p.number("horizontal_accuracy"),
        reply_markup=_markup(p),
        reply_parameters=p.reply_parameters(),
    )


def _no_inline_messages(p: Params) -> None:
    """Inline-mode messages are out of scope for the playground."""
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not supported by the playground")


@method("editMessageText")
def _edit_text(pg: Playground, p: Params) -> Any:
    _no_inline_messages(p)
    return pg.edit_message_text(
        p.chat_id(),
        p.integer("message_id"),
        p.text("text", "") or "",
        parse_mode=p.text("parse_mode"),
        entities=p.json("entities"),
        reply_markup=_markup(p),
    )


@method("editMessageCaption")
def _edit_caption(pg: Playground, p: Params) -> Any:
    _no_inline_messages(p)
    return pg.edit_message_caption(
        p.chat_id(),
        p.integer("message_id"),
        caption=p.text("caption"),
        parse_mode=p.text("parse_mode"),
        caption_entities=p.json("caption_entities"),
        reply_markup=_markup(p),
    )


@method("editMessageReplyMarkup")
def _edit_markup(pg: Playground, p: Params) -> Any:
    _no_inline_messages(p)
    return pg.edit_message_reply_markup(p.chat_id(), p.integer("message_id"), _markup(p))


@method("deleteMessage")
def _delete_message(pg: Playground, p: Params) -> Any:
    return pg.delete_message(p.chat_id(), p.integer("message_id"))


@method("deleteMessages")
def _delete_messages(pg: Playground, p: Params) -> Any:
    ids = p.json("message_ids")
    if not isinstance(ids, list):
        raise bad_request("message_ids is empty")
    return pg.delete_messages(p.chat_id(), ids)


@method("answerCallbackQuery")
def _answer_callback(pg: Playground, p: Params) -> Any:
    return pg.answer_callback_query(
        p.text("callback_query_id") or "",
        text=p.text("text"),
        show_alert=p.flag("show_alert"),
        url=p.text("url"),
        cache_time=p.integer("cache_time"),
    )


@method("sendChatAction")
def _chat_action(pg: Playground, p: Params) -> Any:
    return pg.send_chat_action(p.chat_id(), p.text("action"))


@method("setMyCommands")
def _set_commands(pg: Playground, p: Params) -> Any:
    return pg.set_my_commands(p.json("commands"), p.json("scope"), p.text("language_code"))


@method("getMyCommands")
def _get_commands(pg: Playground, p: Params) -> Any:
    return pg.get_my_commands(p.json("scope"), p.text("language_code"))


@method("deleteMyCommands")
def _delete_commands(pg: Playground, p: Params) -> Any:
    return pg.delete_my_commands(p.json("scope"), p.text("language_code"))


@method("getChat")
def _get_chat(pg: Playground, p: Params) -> Any:
    return pg.get_chat(p.chat_id())


@method("getChatMember")
def _get_chat_member(pg: Playground, p: Params) -> Any:
    return pg.get_chat_member(p.chat_id(), _user_id(p))


@method("getChatAdministrators")
def _get_admins(pg: Playground, p: Params) -> Any:
    return pg.get_chat_administrators(p.chat_id())


@method("getChatMemberCount")
def _member_count(pg: Playground, p: Params) -> Any:
    return pg.get_chat_member_count(p.chat_id())


@method("leaveChat")
def _leave_chat(pg: Playground, p: Params) -> Any:
    return pg.leave_chat(p.chat_id())


@method("pinChatMessage")
def _pin(pg: Playground, p: Params) -> Any:
    return pg.pin_chat_message(p.chat_id(), p.integer("message_id"))


@method("unpinChatMessage")
def _unpin(pg: Playground, p: Params) -> Any:
    return pg.unpin_chat_message(p.chat_id(), p.integer("message_id"))


@method("unpinAllChatMessages")
def _unpin_all(pg: Playground, p: Params) -> Any:
    return pg.unpin_all_chat_messages(p.chat_id())


@method("getFile")
def _get_file(pg: Playground, p: Params) -> Any:
    return pg.get_file(p.text("file_id") or "")


@method("setChatMenuButton")
def _set_menu_button(pg: Playground, p: Params) -> Any:
    chat_id = p.optional_chat_id()
    return pg.set_chat_menu_button(chat_id, p.json("menu_button"))


@method("getChatMenuButton")
def _get_menu_button(pg: Playground, p: Params) -> Any:
    return pg.get_chat_menu_button(p.optional_chat_id())


def _profile_methods(field: str) -> None:
    """Register setMy<Field>/getMy<Field> for a bot profile text."""
    suffix = "".join(part.capitalize() for part in field.split("_"))

    @method(f"setMy{suffix}")
    def _set(pg: Playground, p: Params) -> Any:
        return pg.set_profile(field, p.text(field), p.text("language_code"))

    @method(f"getMy{suffix}")
    def _get(pg: Playground, p: Params) -> Any:
        return pg.get_profile(field, p.text("language_code"))


for _field in PROFILE_FIELDS:
    _profile_methods(_field)


def _error(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> web.Response:
    """A Bot API error envelope."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def _call(playground: Playground, name: str, handler: Handler, params: Params) -> Any:
    """Run a handler; sending methods go through flood limits, 429 faults and stats."""
    if not is_sending_method(name):
        return handler(playground, params)
    return playground.guarded_send(params.optional_chat_id(), lambda: handler(playground, params))


async def handle_method(request: web.Request) -> web.Response:
    """Dispatch /bot{token}/{method} to its handler."""
    name = request.match_info["method"].lower()
    handler = METHODS.get(name)
    playground = request.app[PLAYGROUND_KEY]
    try:
        playground.check_status_fault()
        if name == "getupdates":
            playground.check_conflict_fault()
        if handler is None:
            return _error(404, "Not Found")
        params = await Params.from_request(request)
        result = _call(playground, name, handler, params)
        if inspect.isawaitable(result):
            result = await result
    except PlaygroundError as error:
        return _error(error.status, error.description, error.parameters)
    except Exception as error:  # report bugs to the bot instead of hanging
        log.exception("playground failed on %s", request.match_info["method"])
        return _error(500, f"Internal Server Error: {error!r}")
    return web.json_response({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    """Serve stored file bytes at /file/bot{token}/{file_path}."""
    stored = request.app[PLAYGROUND_KEY].files.read(request.match_info["file_path"])
    if stored is None:
        return _error(404, "Not Found")
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


def add_bot_api_routes(app: web.Application) -> None:
    """Register the Bot API and file download routes."""
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{file_path:.+}", handle_file)

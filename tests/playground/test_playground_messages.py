"""Sending, editing, buttons, callback answers, errors and waiting for bot messages."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import filters

from bot.playground import PlaygroundClient

from .conftest import ANNA, BOB, GROUP

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Ja", callback_data="vote:yes"),
            InlineKeyboardButton("Nee", callback_data="vote:no"),
        ]
    ]
)


async def test_start_command_has_entity(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start welkom")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.text == "/start welkom"
    assert message.entities[0].type == "bot_command"
    assert (message.entities[0].offset, message.entities[0].length) == (0, 6)
    assert filters.COMMAND.check_update(update)
    assert message.from_user is not None and message.from_user.language_code == "nl"
    assert message.chat.type == "private" and message.chat.id == ANNA["id"]


async def test_group_command_with_bot_name(bot: Bot, pg: PlaygroundClient) -> None:
    sent = await pg.send_text(BOB, "/help@wijkbot_playground_bot", chat=GROUP)
    assert sent["message"]["chat"] == {"id": -1001, "type": "group", "title": "Buurtgroep"}
    (update,) = await bot.get_updates()
    assert update.effective_chat is not None and update.effective_chat.type == "group"
    assert filters.COMMAND.check_update(update)
    assert update.message is not None and update.message.entities[0].length == 28
    member = await bot.get_chat_member(GROUP["id"], BOB["id"])
    assert member.status == "creator"


async def test_send_html_and_press_button(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_message(
        ANNA["id"],
        "<b>Hallo</b> &amp; welkom, <i>Anna</i> &lt;3",
        parse_mode=ParseMode.HTML,
        reply_markup=KEYBOARD,
    )
    assert sent.text == "Hallo & welkom, Anna <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5),
        ("italic", 16, 4),
    ]
    assert sent.reply_markup == KEYBOARD

    (stored,) = await pg.bot_messages(ANNA["id"])
    assert stored["raw_text"] == "<b>Hallo</b> &amp; welkom, <i>Anna</i> &lt;3"
    assert stored["text"] == "Hallo & welkom, Anna <3"
    assert stored["parse_mode"] == "HTML"
    assert stored["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "vote:no"

    pressed = await pg.press(ANNA, ANNA["id"], sent.message_id, "vote:yes")
    query_id = pressed["callback_query"]["id"]
    updates = await bot.get_updates(offset=pressed["update_id"])
    query = updates[0].callback_query
    assert query is not None and query.data == "vote:yes" and query.id == query_id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert query.from_user.id == ANNA["id"]

    assert await pg.callback_answer(query_id) is None
    assert await query.answer("Gestemd!", show_alert=True)
    answer = await pg.callback_answer(query_id)
    assert answer is not None and answer["text"] == "Gestemd!" and answer["show_alert"] is True
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await query.answer("nog een keer")
    with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
        await bot.answer_callback_query("does-not-exist")


async def test_forged_callback_data_is_delivered(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA["id"], "Kies", reply_markup=KEYBOARD)
    pressed = await pg.press(ANNA, ANNA["id"], sent.message_id, "admin:delete_everything")
    assert pressed["callback_query"]["data"] == "admin:delete_everything"
    with pytest.raises(Exception, match=r"(?i)404"):
        await pg.press(ANNA, ANNA["id"], 999, "x")


async def test_edit_message_text(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA["id"], "Stemmen?", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text(
        "Bedankt, <b>gestemd</b>", chat_id=ANNA["id"], message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, Message)
    assert edited.text == "Bedankt, gestemd"
    assert edited.edit_date is not None
    (stored,) = await pg.bot_messages(ANNA["id"])
    assert stored["edit_count"] == 1
    assert stored["reply_markup"] is None, "editing without reply_markup drops the keyboard"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text(
            "Bedankt, <b>gestemd</b>",
            chat_id=ANNA["id"],
            message_id=sent.message_id,
            parse_mode="HTML",
        )
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA["id"], message_id=999)
    with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
        await bot.edit_message_text("x", chat_id=ANNA["id"], message_id=1)

    again = await bot.edit_message_reply_markup(ANNA["id"], sent.message_id, reply_markup=KEYBOARD)
    assert isinstance(again, Message) and again.reply_markup == KEYBOARD


async def test_text_limits(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    assert (await bot.send_message(ANNA["id"], "x" * 4096)).text == "x" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANNA["id"], "x" * 4097)
    bold = "<b>" + "y" * 4096 + "</b>"
    assert (await bot.send_message(ANNA["id"], bold, parse_mode="HTML")).text == "y" * 4096
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(ANNA["id"], "<b></b>", parse_mode="HTML")
    # Telegram counts UTF-16 code units after parsing: an emoji outside the BMP counts two, an entity one.
    assert (await bot.send_message(ANNA["id"], "😀" * 2048)).text == "😀" * 2048
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(ANNA["id"], "😀" * 2049)
    assert (await bot.send_message(ANNA["id"], "&lt;" * 4096, parse_mode="HTML")).text == "<" * 4096


@pytest.mark.parametrize(
    "text",
    ["1 < 2", "Tom & Jerry", "<b>open", "<b><i>x</b></i>", "<script>x</script>", "<span>x</span>"],
)
async def test_invalid_html_is_rejected(bot: Bot, pg: PlaygroundClient, text: str) -> None:
    await pg.send_text(ANNA, "/start")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ANNA["id"], text, parse_mode="HTML")


async def test_callback_data_limit(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="x" * 64)]])
    await bot.send_message(ANNA["id"], "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("te lang", callback_data="x" * 65)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA["id"], "nope", reply_markup=too_long)
    multibyte = InlineKeyboardMarkup([[InlineKeyboardButton("é", callback_data="é" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(ANNA["id"], "nope", reply_markup=multibyte)


async def test_reply_keyboards_are_stored(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    keyboard = ReplyKeyboardMarkup([["Ja", "Nee"]], one_time_keyboard=True)
    sent = await bot.send_message(ANNA["id"], "Kies", reply_markup=keyboard)
    assert sent.reply_markup is None, "Telegram only echoes inline keyboards"
    await bot.send_message(ANNA["id"], "Weg", reply_markup=ReplyKeyboardRemove())
    await bot.send_message(ANNA["id"], "Antwoord", reply_markup=ForceReply())
    markups = [m["reply_markup"] for m in await pg.bot_messages(ANNA["id"])]
    assert markups[0]["keyboard"] == [[{"text": "Ja"}, {"text": "Nee"}]]
    assert markups[0]["one_time_keyboard"] is True
    assert markups[1]["remove_keyboard"] is True
    assert markups[2]["force_reply"] is True


async def test_reply_to_message(bot: Bot, pg: PlaygroundClient) -> None:
    question = await pg.send_text(ANNA, "Hoe laat?")
    answer = await bot.send_message(
        ANNA["id"], "Om acht uur", reply_to_message_id=question["message"]["message_id"]
    )
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "Hoe laat?"
    with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
        await bot.send_message(ANNA["id"], "x", reply_to_message_id=999)
    reply = await pg.send_text(ANNA, "Top", reply_to=answer.message_id)
    assert reply["message"]["reply_to_message"]["message_id"] == answer.message_id


async def test_blocked_and_unknown_users(bot: Bot, pg: PlaygroundClient) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(555, "hallo")
    await pg.send_text(BOB, "hoi", chat=GROUP)
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(BOB["id"], "prive")
    await pg.send_text(ANNA, "/start")
    await pg.block(ANNA["id"])
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(ANNA["id"], "hallo")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(ANNA["id"], "typing")
    await pg.block(ANNA["id"], blocked=False)
    assert (await bot.send_message(ANNA["id"], "weer welkom")).text == "weer welkom"


async def test_delete_message(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA["id"], "tijdelijk")
    assert await bot.delete_message(ANNA["id"], sent.message_id)
    stored = await pg.bot_messages(ANNA["id"])
    assert stored[0]["deleted"] is True
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(ANNA["id"], sent.message_id)


async def test_user_edit_and_other_content(bot: Bot, pg: PlaygroundClient) -> None:
    sent = await pg.send_text(ANNA, "typo")
    await pg.edit(ANNA, ANNA["id"], sent["message"]["message_id"], "/start")
    await pg.send_sticker(ANNA)
    await pg.send_voice(ANNA)
    await pg.send_contact(ANNA, "+31612345678")
    updates = await bot.get_updates()
    edited = updates[1].edited_message
    assert edited is not None and edited.text == "/start" and edited.edit_date is not None
    sticker, voice, contact = (u.message for u in updates[2:])
    assert sticker is not None and sticker.sticker is not None
    assert sticker.sticker.emoji == "👍"
    assert voice is not None and voice.voice is not None
    assert voice.voice.mime_type == "audio/ogg"
    assert contact is not None and contact.contact is not None
    assert contact.contact.phone_number == "+31612345678"


async def test_wait_for(bot: Bot, pg: PlaygroundClient) -> None:
    start = await pg.send_text(ANNA, "/start")
    since = start["message"]["message_id"]

    async def reply_later() -> None:
        await asyncio.sleep(0.2)
        await bot.send_message(ANNA["id"], "een")
        await bot.send_message(ANNA["id"], "twee")

    replier = asyncio.create_task(reply_later())
    messages = await pg.wait_for(ANNA["id"], since=since, count=2, timeout=5)
    await replier
    assert [m["text"] for m in messages] == ["een", "twee"]

    with pytest.raises(TimeoutError, match=r"(?i)#2 bot: 'een'"):
        await pg.wait_for(ANNA["id"], since=messages[-1]["message_id"], timeout=0.3)


async def test_wait_for_edit(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_message(ANNA["id"], "Stemmen?", reply_markup=KEYBOARD)
    pressed = await pg.press(ANNA, ANNA["id"], sent.message_id, "vote:yes")

    async def edit_later() -> None:
        await asyncio.sleep(0.2)
        await bot.edit_message_text("Gestemd", ANNA["id"], sent.message_id)

    editor = asyncio.create_task(edit_later())
    changed = await pg.wait_for(
        ANNA["id"], since=sent.message_id, edits=True, after_seq=pressed["seq"], timeout=5
    )
    await editor
    assert [(m["text"], m["edit_count"]) for m in changed] == [("Gestemd", 1)]

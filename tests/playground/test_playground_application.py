"""A real python-telegram-bot Application polling the playground end to end."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.playground import PlaygroundClient, PlaygroundServer

from .conftest import ANNA, BOB, GROUP


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet with a button."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Meedoen", callback_data="join")]])
    assert update.effective_message is not None and update.effective_user is not None
    await update.effective_message.reply_html(
        f"<b>Welkom</b>, {update.effective_user.first_name}!", reply_markup=keyboard
    )


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the message."""
    query = update.callback_query
    assert query is not None
    await query.answer("Gelukt")
    await query.edit_message_text(f"Gekozen: {query.data}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Download a photo and report its size."""
    message = update.effective_message
    assert message is not None
    data = await (await message.photo[-1].get_file()).download_as_bytearray()
    await message.reply_text(f"{len(data)} bytes")


def build(server: PlaygroundServer) -> Application[Any, Any, Any, Any, Any, Any]:
    """An application wired to the playground."""
    app = (
        ApplicationBuilder()
        .token("123:ABC")
        .base_url(f"{server.url}/bot")
        .base_file_url(f"{server.url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    return app


async def test_application_round_trip(server: PlaygroundServer, pg: PlaygroundClient) -> None:
    app = build(server)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            sent = await pg.send_text(ANNA, "/start")
            (welcome,) = await pg.wait_for(ANNA["id"], since=sent["message"]["message_id"])
            assert welcome["text"] == "Welkom, Anna!"
            assert welcome["reply_to_message_id"] is None, "PTB only quotes in groups"

            pressed = await pg.press(ANNA, ANNA["id"], welcome["message_id"], "join")
            answer = await pg.callback_answer(pressed["callback_query"]["id"], wait=5)
            assert answer is not None and answer["text"] == "Gelukt"
            (edited,) = await pg.wait_for(ANNA["id"], edits=True, after_seq=pressed["seq"])
            assert edited["text"] == "Gekozen: join" and edited["reply_markup"] is None

            group_start = await pg.send_text(BOB, "/start@wijkbot_playground_bot", chat=GROUP)
            (group_reply,) = await pg.wait_for(
                GROUP["id"], since=group_start["message"]["message_id"]
            )
            assert group_reply["text"] == "Welkom, Bob!"
            assert group_reply["reply_to_message_id"] == group_start["message"]["message_id"]

            image = b"\x89PNG fake image bytes"
            shot = await pg.send_photo(ANNA, image)
            (size,) = await pg.wait_for(ANNA["id"], since=shot["message"]["message_id"])
            assert size["text"] == f"{len(image)} bytes"
        finally:
            await app.updater.stop()
            await app.stop()
    assert (await pg.pending())["pending"] == 0, "stopping the updater confirms every update"

"""Photos, documents and locations in both directions."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.playground import PlaygroundClient
from bot.playground.media import DEFAULT_PNG, image_size

from .conftest import ANNA


async def test_send_photo_upload_and_download(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    sent = await bot.send_photo(ANNA["id"], DEFAULT_PNG, caption="<b>Kaart</b>", parse_mode="HTML")
    assert sent.caption == "Kaart" and sent.caption_entities[0].type == "bold"
    largest = sent.photo[-1]
    assert (largest.width, largest.height) == image_size(DEFAULT_PNG)
    file = await bot.get_file(largest.file_id)
    assert file.file_size == len(DEFAULT_PNG)
    assert bytes(await file.download_as_bytearray()) == DEFAULT_PNG

    again = await bot.send_photo(ANNA["id"], largest.file_id)
    assert again.photo[-1].file_unique_id == largest.file_unique_id
    stored = await pg.bot_messages(ANNA["id"])
    assert stored[0]["text"] == "Kaart" and stored[0]["photo"][-1]["file_id"] == largest.file_id


async def test_user_photo_downloadable(bot: Bot, pg: PlaygroundClient) -> None:
    big_png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x07\x80\x00\x00\x048" + b"\x00" * 20
    await pg.send_photo(ANNA, big_png, caption="kapotte lantaarn")
    (update,) = await bot.get_updates()
    message = update.message
    assert message is not None and message.caption == "kapotte lantaarn"
    sizes = [(p.width, p.height) for p in message.photo]
    assert sizes[-1] == (1920, 1080) and sizes[0][0] == 90
    data = await (await message.photo[-1].get_file()).download_as_bytearray()
    assert bytes(data) == big_png


async def test_send_document(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Nog een", callback_data="again")]])
    sent = await bot.send_document(
        ANNA["id"], b"a,b\n1,2\n", filename="export.csv", caption="Export", reply_markup=keyboard
    )
    assert sent.reply_markup == keyboard, "multipart JSON fields are parsed"
    document = sent.document
    assert document is not None
    assert (document.file_name, document.mime_type, document.file_size) == (
        "export.csv",
        "text/csv",
        8,
    )
    data = await (await bot.get_file(document.file_id)).download_as_bytearray()
    assert bytes(data) == b"a,b\n1,2\n"
    (stored,) = await pg.bot_messages(ANNA["id"])
    assert stored["document"]["file_name"] == "export.csv"


async def test_user_document_and_location(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_document(ANNA, "melding.pdf", b"%PDF-1.4")
    await pg.send_location(ANNA, 52.37, 4.89)
    doc_update, loc_update = await bot.get_updates()
    assert doc_update.message is not None and loc_update.message is not None
    document = doc_update.message.document
    assert document is not None and document.mime_type == "application/pdf"
    assert bytes(await (await document.get_file()).download_as_bytearray()) == b"%PDF-1.4"
    location = loc_update.message.location
    assert location is not None and (location.latitude, location.longitude) == (52.37, 4.89)

    sent = await bot.send_location(ANNA["id"], 52.1, 5.1)
    assert sent.location is not None and sent.location.latitude == 52.1
    stored = await pg.bot_messages(ANNA["id"])
    assert stored[-1]["location"] == {"latitude": 52.1, "longitude": 5.1}


async def test_caption_limit_counts_utf16_units_after_parsing(bot: Bot, pg: PlaygroundClient) -> None:
    import pytest
    from telegram.error import BadRequest

    await pg.send_text(ANNA, "/start")
    sent = await bot.send_photo(ANNA["id"], DEFAULT_PNG, caption="<b>" + "😀" * 512 + "</b>", parse_mode="HTML")
    assert sent.caption == "😀" * 512
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(ANNA["id"], DEFAULT_PNG, caption="😀" * 513)

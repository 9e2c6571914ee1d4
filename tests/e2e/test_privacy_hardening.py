"""Privacy hardening (issue 13): odd privacy presses, redaction that reaches every copy, secrets never stored
in clear, erasure of members' names, and a daily limit that erasure cannot reset."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.models import Person
from tests.harness import Harness, person, texts

ANNA_ID = 987650001


async def test_an_erase_press_without_a_message_still_erases_and_says_goodbye_in_private(bot: Harness) -> None:
    anna = person(ANNA_ID, "en", "Anna")
    await bot.say(anna, "/start")
    # A press on an inline message (or one too old to carry its message): no chat in the update.
    sent = await bot.pg.raw({"callback_query": {"id": "odd-1", "from": {**anna, "is_bot": False},
                                                "chat_instance": "odd", "inline_message_id": "inline-1",
                                                "data": "privacy:erase"}})
    await bot.settle(sent["update_id"])
    goodbye = texts(await bot.new_messages(ANNA_ID))
    assert "has been erased" in goodbye
    assert "went wrong" not in goodbye
    with bot.db.read() as session:
        assert session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).first() is None


async def test_a_keep_press_without_a_message_is_answered_kindly(bot: Harness) -> None:
    anna = person(ANNA_ID, "nl", "Anna")
    await bot.say(anna, "/start")
    sent = await bot.pg.raw({"callback_query": {"id": "odd-2", "from": {**anna, "is_bot": False},
                                                "chat_instance": "odd", "inline_message_id": "inline-2",
                                                "data": "privacy:keep"}})
    await bot.settle(sent["update_id"])
    assert "niets gewist" in texts(await bot.new_messages(ANNA_ID))
    with bot.db.read() as session:
        assert session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).first() is not None

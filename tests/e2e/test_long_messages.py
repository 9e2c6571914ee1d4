"""Nothing the bot sends exceeds Telegram's limits: a category-5 answer with every field at its
maximum length still reaches the partner's preview (with its buttons), the resident and the wijkraad."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.playground.entities import utf16_len
from conversations.answer import MAX_TEXT
from storage.models import Answer, OutboxMessage
from tests.e2e.test_answers import PIM, partners, route_to  # noqa: F401 (fixture)
from tests.e2e.test_triage import GROUP_A, file
from tests.harness import Harness, last_with_buttons, person, texts

# The longest a partner may type, made of what grows most on the way: characters that HTML
# escapes (&lt; is four characters in the source) and emoji (two UTF-16 units each).
MOTIVATION = ("Het budget <voor 2027> & 2028 is op. " * 60)[:MAX_TEXT].strip().ljust(MAX_TEXT, "x")
ANSWER_TEXT = ("Helaas 😀 kan dit niet <echt> & waar. " * 60)[:MAX_TEXT].strip().ljust(MAX_TEXT, "y")


def squeezed(text: str) -> str:
    """Without whitespace (a split drops the line break or space it splits at)."""
    return "".join(text.split())


def all_fit(messages: list[dict[str, Any]]) -> None:
    """Every message the playground stored fits Telegram's limit as Telegram counts it."""
    for message in messages:
        assert utf16_len(message.get("text") or "") <= 4096


async def test_a_category_5_answer_of_maximum_length_is_previewed_sent_and_received(partners: Harness) -> None:
    bot = partners
    anna = person(1320, "nl", "Anna")
    card = await file(bot, anna, "Graag een nieuw speeltoestel op het Leidseplein voor oudere kinderen.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    await bot.new_messages(anna["id"])
    await bot.new_messages(GROUP_A["id"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:not_possible")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:reason:financial")
    replies = await bot.say(PIM, MOTIVATION)
    replies = await bot.say(PIM, ANSWER_TEXT)

    # The preview arrives whole (in parts if need be), the buttons under the last part.
    preview = [m for m in replies if m["from_bot"] and m["message_id"] > 0]
    all_fit(preview)
    assert "Voorbeeld" in preview[0]["text"]
    shown = squeezed(texts(preview))
    assert squeezed(MOTIVATION) in shown and squeezed(ANSWER_TEXT) in shown
    with bot.db.read() as session:
        assert all(row.status == "sent" for row in session.exec(select(OutboxMessage)).all())
    replies = await bot.press(PIM, last_with_buttons(preview), "answer:send")
    assert "Verstuurd" in texts(replies)

    # The resident gets all of it, with the satisfaction buttons at the end; so does the wijkraad.
    received = await bot.new_messages(anna["id"])
    all_fit(received)
    assert squeezed(MOTIVATION) in squeezed(texts(received)) and squeezed(ANSWER_TEXT) in squeezed(texts(received))
    with bot.db.read() as session:
        answer = session.exec(select(Answer)).one()
    assert last_with_buttons(received) is received[-1]
    assert f"satisfaction:{answer.id}:yes" in str(received[-1]["reply_markup"])
    group = await bot.new_messages(GROUP_A["id"])
    all_fit(group)
    assert squeezed(ANSWER_TEXT) in squeezed(texts(group))
    with bot.db.read() as session:
        assert all(row.status == "sent" for row in session.exec(select(OutboxMessage)).all())

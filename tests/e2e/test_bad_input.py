"""Bad input gets a clear reply in the person's language (silence in groups) and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from storage.models import Conversation, Request
from tests.harness import Harness, last_with_buttons, person, texts


def snapshot(bot: Harness) -> list[Any]:
    """Every dialog step, draft and request, to compare before and after."""
    with bot.db.read() as session:
        dialogs = [(c.chat_id, c.user_id, c.name, c.state, c.draft) for c in session.exec(select(Conversation))]
        requests = [(r.id, r.status, r.text) for r in session.exec(select(Request))]
    return [dialogs, requests]


async def in_description_step(bot: Harness, user: dict[str, Any]) -> None:
    """Bring the person to the description step."""
    replies = await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    await bot.press(user, last_with_buttons(replies), "intake:theme:groen")


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", ["sticker", "voice", "document"])
async def test_media_outside_a_dialog(bot: Harness, kind: str, language: str) -> None:
    user = person(300, language)
    await bot.say(user, "/start")
    before = snapshot(bot)
    extra = {"name": "brief.pdf", "data": b"%PDF-1.4"} if kind == "document" else {}
    replies = await bot.send(user, kind, **extra)
    expected = "Daar kan ik niets mee" if language == "nl" else "/nieuw"
    assert len(replies) == 1 and expected in texts(replies)
    if language == "en":
        assert "Daar kan ik" not in texts(replies)
    assert snapshot(bot) == before


@pytest.mark.parametrize("kind", ["sticker", "voice", "document", "location"])
async def test_media_inside_a_dialog_reprompts(bot: Harness, kind: str) -> None:
    user = person(301)
    await in_description_step(bot, user)
    before = snapshot(bot)
    extra = {"name": "brief.pdf", "data": b"%PDF-1.4"} if kind == "document" else {}
    if kind == "location":
        extra = {"lat": 52.38, "lon": 4.63}
    replies = await bot.send(user, kind, **extra)
    assert "Beschrijf je verzoek in een tekstbericht" in texts(replies)
    assert snapshot(bot) == before


async def test_text_over_the_limit(bot: Harness) -> None:
    user = person(302, "en")
    await in_description_step(bot, user)
    before = snapshot(bot)
    replies = await bot.say(user, "lang " * 300)
    assert "too long" in texts(replies).lower() and "1,000" in texts(replies)
    assert snapshot(bot) == before
    replies = await bot.say(user, "kort")
    assert "short" in texts(replies).lower()
    assert snapshot(bot) == before


async def test_unknown_command(bot: Harness) -> None:
    user = person(303)
    await in_description_step(bot, user)
    before = snapshot(bot)
    replies = await bot.say(user, "/vliegtuig")
    assert "Die opdracht ken ik niet" in texts(replies)
    assert snapshot(bot) == before
    # The dialog goes on where it was.
    replies = await bot.say(user, "De bomen in onze straat worden nooit gesnoeid en hangen over de stoep.")
    assert "foto" in texts(replies).lower()


async def test_buttons_from_old_messages(bot: Harness) -> None:
    user = person(304)
    replies = await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    kind_message = last_with_buttons(replies)
    replies = await bot.press(user, kind_message, "intake:kind:question")
    theme_message = last_with_buttons(replies)
    before = snapshot(bot)
    # The kind question was answered already: pressing it again is stale.
    answer = await bot.press_data(user, user["id"], kind_message["message_id"], "intake:kind:wish")
    assert answer["show_alert"] and "werkt niet meer" in answer["text"]
    # Forged data on a live message changes nothing either.
    answer = await bot.press_data(user, user["id"], theme_message["message_id"], "intake:theme:../../etc")
    assert answer["show_alert"]
    answer = await bot.press_data(user, user["id"], theme_message["message_id"], "x" * 64)
    assert answer["show_alert"]
    assert snapshot(bot) == before
    assert await bot.new_messages(user["id"]) == []


async def test_after_confirm_the_old_summary_cannot_file_twice(bot: Harness) -> None:
    user = person(305)
    await in_description_step(bot, user)
    replies = await bot.say(user, "De bomen in onze straat worden nooit gesnoeid en hangen over de stoep.")
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    summary = last_with_buttons(replies)
    await bot.press(user, summary, "intake:confirm")
    answer = await bot.press_data(user, user["id"], summary["message_id"], "intake:confirm")
    assert answer["show_alert"]
    with bot.db.read() as session:
        assert len(session.exec(select(Request)).all()) == 1


async def test_group_chatter_gets_silence(bot: Harness) -> None:
    user = person(306)
    group = {"id": -1001, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}
    before = snapshot(bot)
    for text in ["Hallo allemaal", "/nieuw", "/start", "/onbekend"]:
        assert await bot.say(user, text, chat=group) == []
    assert await bot.send(user, "sticker", chat=group) == []
    assert snapshot(bot) == before


async def test_edited_messages_and_unknown_updates_change_nothing(bot: Harness) -> None:
    user = person(307)
    await in_description_step(bot, user)
    before = snapshot(bot)
    mine = [m for m in await bot.pg.messages(user["id"]) if not m["from_bot"]][-1]
    edited = await bot.pg.edit(user, user["id"], mine["message_id"], "iets heel anders dan eerst, lang genoeg")
    await bot.settle(edited["update_id"])
    raw = await bot.pg.raw({"poll": {"id": "1", "question": "?", "options": [], "total_voter_count": 0,
                                     "is_closed": False, "is_anonymous": True, "type": "regular", "allows_revoting": False,
                                     "allows_multiple_answers": False}})
    await bot.settle(raw["update_id"])
    malformed = await bot.pg.raw({"poll": {"id": "2"}})  # PTB cannot parse this one
    await bot.settle(malformed["update_id"])
    assert await bot.new_messages(user["id"]) == []
    assert snapshot(bot) == before
    # The bot is still there and the dialog still where it was.
    replies = await bot.say(user, "kort")
    assert "wat kort" in texts(replies)


async def test_cancel_leaves_the_dialog_and_keeps_nothing(bot: Harness) -> None:
    user = person(308)
    await in_description_step(bot, user)
    replies = await bot.say(user, "/annuleer")
    assert "niets opgeslagen" in texts(replies)
    assert snapshot(bot) == [[], []]
    replies = await bot.say(user, "/annuleer")
    assert "nergens mee bezig" in texts(replies)


async def test_personal_matters_are_referred_not_filed(bot: Harness) -> None:
    user = person(309)
    replies = await bot.say(user, "/nieuw")
    replies = await bot.say(user, "2011")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:personal")
    assert "14 023" in texts(replies) and "niets opgeslagen" in texts(replies)
    assert snapshot(bot) == [[], []]


async def test_unknown_wijk_and_postcode(bot: Harness) -> None:
    user = person(310, "en")
    await bot.say(user, "/nieuw")
    before = snapshot(bot)
    replies = await bot.say(user, "Springfield")
    assert "don't know" in texts(replies).lower() or "do not know" in texts(replies).lower()
    replies = await bot.say(user, "9999 ZZ")
    assert "9999" in texts(replies)
    replies = await bot.send(user, "location", lat=48.85, lon=2.35)
    assert texts(replies)
    assert snapshot(bot) == before

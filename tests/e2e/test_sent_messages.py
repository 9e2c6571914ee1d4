"""What was sent is recorded (issue 14): the dispatcher writes each delivered message to SentMessage,
edits and erasure find messages there, and outbox payloads hold only what Telegram is sent."""

from __future__ import annotations

import re

from sqlmodel import select

from storage.models import Area, MembershipRole, OutboxMessage, Person, SentMessage
from storage.people import get_or_create_person
from storage.privacy import personal_data
from storage.roles import grant
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member
from tests.harness import Harness, last_with_buttons, person, texts


def private_keys(bot: Harness) -> list[tuple[int, str]]:
    """Outbox rows whose payload carries a key of our own (one starting with `_`)."""
    with bot.db.read() as session:
        return [(row.id, key) for row in session.exec(select(OutboxMessage)) for key in row.payload
                if key.startswith("_")]


async def link_group(bot: Harness) -> None:
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))


async def test_a_card_is_recorded_and_a_later_change_edits_it_in_place(bot: Harness) -> None:
    await link_group(bot)
    anna = person(8101, "nl", "Anna")
    card = await file(bot, anna, "De lantaarnpaal in de Leidsestraat doet het niet meer sinds vorige week.")
    with bot.db.read() as session:
        cards = session.exec(select(SentMessage).where(SentMessage.kind == "card")).all()
        assert [(m.chat_id, m.message_id, m.subject_type, m.subject_id) for m in cards] == [
            (GROUP_A["id"], card["message_id"], "request", 1)]
    await bot.new_messages(anna["id"])
    replies = await bot.press(WIM, card, "Vraag aan bewoner", chat_id=GROUP_A["id"])
    await bot.say(WIM, "Bij welk huisnummer staat de lantaarnpaal?", chat=GROUP_A, reply_to=replies[-1]["message_id"])
    asked = next(m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"])
    question = (await bot.new_messages(anna["id"]))[-1]
    await bot.say(anna, "Tegenover nummer 25.", reply_to=question["message_id"])
    # The resident's answer changes the request; the card in the group (found through SentMessage) follows.
    now = next(m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"])
    assert now["text"] != asked["text"]
    assert "Vraag aan bewoner" in str(now["reply_markup"]) and "Vraag aan bewoner" not in str(asked["reply_markup"])
    assert private_keys(bot) == []
    with bot.db.read() as session:
        edit = session.exec(select(OutboxMessage).where(OutboxMessage.method == "editMessageText")
                            .order_by(OutboxMessage.id.desc())).first()
        assert (edit.subject_type, edit.subject_id, edit.payload["message_id"]) == ("request", 1, card["message_id"])


async def test_an_invitation_keeps_its_nonce_in_a_column_until_it_is_sent(bot: Harness) -> None:
    cora = person(8201, name="Cora")
    with bot.db.transaction_sync() as session:
        coordinator = get_or_create_person(session, telegram_id=cora["id"], language="nl")
        haarlem = session.exec(select(Area).where(Area.code == "haarlem")).one()
        grant(session, person=coordinator, role=MembershipRole.COORDINATOR, area_id=haarlem.id, display_name="Cora")
    menu = await bot.say(cora, "/beheer")
    replies = await bot.press(cora, last_with_buttons(menu), "Uitnodigen")
    replies = await bot.press(cora, last_with_buttons(replies), "Een wijkraadlid")
    replies = await bot.press(cora, last_with_buttons(replies), "Leidsebuurt")
    assert re.search(r"start=inv_[A-Za-z0-9_-]{40,}", texts(replies)), texts(replies)
    assert private_keys(bot) == []
    with bot.db.read() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).one()
        assert "[invitation]" in row.payload["text"] and row.invitation_nonce is None  # settled: the nonce went
        assert session.exec(select(SentMessage).where(SentMessage.kind == "invitation",
                                                      SentMessage.chat_id == cora["id"])).one()


async def test_erasure_removes_the_record_of_what_was_delivered_to_the_person(bot: Harness) -> None:
    await link_group(bot)
    anna = person(8301, "nl", "Anna")
    await file(bot, anna, "Het bankje bij de vijver in het Florapark is kapot getrapt door iemand.")
    await bot.new_messages(anna["id"])
    with bot.db.read() as session:
        me = session.exec(select(SentMessage).where(SentMessage.chat_id == anna["id"])).all()
        assert me
        data = personal_data(session, person=session.exec(select(Person).where(Person.telegram_id == anna["id"])).one())
        assert sorted(m["message_id"] for m in data["messages_delivered_to_you"]) == sorted(m.message_id for m in me)
    replies = await bot.say(anna, "/vergeetmij")
    replies = await bot.press(anna, last_with_buttons(replies), "wis mijn gegevens")
    assert "gewist" in texts(replies)
    with bot.db.read() as session:
        assert session.exec(select(SentMessage).where(SentMessage.chat_id == anna["id"])).all() == []
        assert session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == anna["id"])).all() == []
        assert session.exec(select(SentMessage).where(SentMessage.chat_id == GROUP_A["id"],
                                                      SentMessage.kind == "card")).all()  # the group's card stays

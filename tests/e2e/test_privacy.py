"""Residents' rights, retention, and per-person limits."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import SQLModel, select

from bot.settings import PLAYGROUND_TOKEN
from storage.models import Area, Person, Request, RequestKind, Subscription, Theme, utcnow
from storage.privacy import forget_closed_links
from storage.requests import NewRequest, file_request
from storage.triage import support
from storage.workflow import Actor, Role, transition
from tests.e2e.test_triage import file
from tests.harness import Harness, last_with_buttons, person, texts

ANNA_ID = 987654321


async def download(bot: Harness, file_id: str) -> bytes:
    """A file the bot sent, fetched over the Bot API like a client would."""
    base = bot.pg.url  # type: ignore[attr-defined]
    async with httpx.AsyncClient() as client:
        info = (await client.post(f"{base}/bot{PLAYGROUND_TOKEN}/getFile", json={"file_id": file_id})).json()
        return (await client.get(f"{base}/file/bot{PLAYGROUND_TOKEN}/{info['result']['file_path']}")).content


async def test_privacy_explains_in_both_languages(bot: Harness) -> None:
    assert "Wat ik bewaar" in texts(await bot.say(person(1200, "nl"), "/privacy"))
    assert "What I keep" in texts(await bot.say(person(1201, "en"), "/privacy"))


async def test_my_data_contains_mine_and_nobody_elses(bot: Harness) -> None:
    anna, bert = person(ANNA_ID, "nl", "Anna"), person(1202, "nl", "Bert")
    await file(bot, bert, "Bert wil graag een bankje bij de vijver in het park aan de Leidsevaart.")
    await file(bot, anna, "Anna wil graag meer fietsenrekken bij het station aan de Leidsevaart.")
    with bot.db.transaction_sync() as session:
        anna_row = session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).one()
        support(session, person_id=anna_row.id, request=session.get(Request, 1))
    await bot.new_messages(ANNA_ID)
    replies = await bot.say(anna, "/mijngegevens")
    document = replies[-1]["document"]
    data = json.loads(await download(bot, document["file_id"]))
    assert data["person"]["telegram_id"] == ANNA_ID
    assert [r["reference"] for r in data["requests"]] == ["W-0002"]
    assert "fietsenrekken" in json.dumps(data) and "bankje" not in json.dumps(data)
    assert [s["request_id"] for s in data["supports"]] == [1]
    # Bert's Telegram id nowhere as a number (a timestamp's microseconds may hold the same digits).
    assert not re.search(r"(?<![\d.:])1202(?![\d])", json.dumps(data)), "another resident's id in my data"


def scan_for(bot: Harness, value: int) -> list[str]:
    """Every table and column where the value still appears (as a number or inside text/JSON)."""
    found = []
    with bot.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                for column, cell in row.items():
                    if cell == value or (cell is not None and str(value) in json.dumps(cell, default=str)):
                        found.append(f"{table.name}.{column}")
    return found


async def test_forget_me_erases_every_trace_and_keeps_requests_anonymous(bot: Harness) -> None:
    anna = person(ANNA_ID, "nl", "Anna")
    await file(bot, anna, "Anna wil graag meer fietsenrekken bij het station aan de Leidsevaart.")
    await bot.say(anna, "/volg Leidsebuurt")
    await bot.say(anna, "/nieuw")  # an unfinished draft too
    await bot.say(anna, "Leidsebuurt")
    assert scan_for(bot, ANNA_ID)  # there is something to erase
    replies = await bot.say(anna, "/vergeetmij")
    replies = await bot.press(anna, last_with_buttons(replies), "privacy:keep")
    assert "niets gewist" in texts(replies)
    replies = await bot.say(anna, "/vergeetmij")
    replies = await bot.press(anna, last_with_buttons(replies), "privacy:erase")
    assert "gewist" in texts(replies) and "1 verzoek" in texts(replies)
    assert scan_for(bot, ANNA_ID) == []
    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert request.resident_id is None and "fietsenrekken" in request.text
        assert session.exec(select(Subscription)).all() == []


async def test_retention_unlinks_closed_requests_after_a_year(db) -> None:  # type: ignore[no-untyped-def]
    from storage.municipality import example_config, load_municipality

    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        resident = Person(telegram_id=55, language="nl")
        session.add(resident)
        session.flush()
        wijk = session.exec(select(Area).where(Area.kind == "wijk")).first()
        theme = session.exec(select(Theme)).first()
        closed = file_request(session, resident=resident, new=NewRequest(wijk.id, RequestKind.WISH, theme.id, "x" * 30))
        transition(session, request=closed, action="withdraw", actor=Actor(Role.RESIDENT, resident.id, "p"))
        still_open = file_request(session, resident=resident, new=NewRequest(wijk.id, RequestKind.WISH, theme.id, "y" * 30))
    with db.transaction_sync() as session:
        assert forget_closed_links(session, now=utcnow() + timedelta(days=364), retention_days=365) == 0
    with db.transaction_sync() as session:
        assert forget_closed_links(session, now=utcnow() + timedelta(days=366), retention_days=365) == 1
    with db.read() as session:
        assert session.get(Request, closed.id).resident_id is None
        assert session.get(Request, still_open.id).resident_id is not None
        assert [s.request_id for s in session.exec(select(Subscription))] == [still_open.id]


async def test_at_most_ten_requests_a_day(bot: Harness) -> None:
    user = person(1203)
    await bot.say(user, "/start")
    with bot.db.transaction_sync() as session:
        resident = session.exec(select(Person).where(Person.telegram_id == 1203)).one()
        wijk = session.exec(select(Area).where(Area.kind == "wijk")).first()
        theme = session.exec(select(Theme)).first()
        for n in range(10):
            file_request(session, resident=resident, new=NewRequest(wijk.id, RequestKind.WISH, theme.id, f"verzoek {n} " * 3))
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:groen")
    replies = await bot.say(user, "Nog een verzoek over het groen in de Leidsebuurt, graag.")
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    summary = last_with_buttons(replies)
    answer = await bot.press_data(user, 1203, summary["message_id"], "intake:confirm")
    assert answer["show_alert"] and "maximum" in answer["text"]
    with bot.db.read() as session:
        assert len(session.exec(select(Request)).all()) == 10


async def test_a_flood_is_answered_once_and_changes_nothing(bot: Harness) -> None:
    user = person(1204)
    sent: list[dict[str, Any]] = []
    for n in range(30):
        sent.append(await bot.pg.send_text(user, f"spam {n}"))
    await bot.settle(sent[-1]["update_id"])
    replies = texts(await bot.new_messages(1204))
    assert replies.count("rustig aan") == 1
    assert replies.count("Daar kan ik niets mee") <= 20


async def test_every_button_pressed_in_a_flood_is_answered(bot: Harness) -> None:
    user = person(1206)
    replies = await bot.say(user, "/taal")
    menu = last_with_buttons(replies)
    data = menu["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    presses = [await bot.pg.press(user, user["id"], menu["message_id"], data) for _n in range(30)]
    await bot.settle(presses[-1]["update_id"])
    answers = [await bot.pg.callback_answer(p["callback_query"]["id"], wait=10) for p in presses]
    assert all(answer is not None for answer in answers), "a press the flood guard ignored was never answered"
    assert any("rustig aan" in (answer.get("text") or "") for answer in answers)


async def test_a_voters_ballot_is_in_their_data_and_erased_with_them(bot: Harness) -> None:
    from storage.models import Ballot, PriorityVote, VoteOption
    from storage.votes import ballot_count, cast_ballot, start_vote

    anna, bert = person(ANNA_ID, "nl", "Anna"), person(1205, "nl", "Bert")
    await file(bot, bert, "Bert wil graag een bankje bij de vijver in het park aan de Leidsevaart.")
    await file(bot, bert, "Bert wil ook graag meer groen op het plein aan de Leidsevaart.")
    await bot.say(anna, "/volg Leidsebuurt")
    with bot.db.transaction_sync() as session:
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        for request in session.exec(select(Request)).all():  # routed: residents may vote on them
            transition(session, request=request, action="route", actor=Actor(Role.WIJKRAAD, None, "wijkraad"))
        now = utcnow()
        vote = start_vote(session, wijk_id=wijk.id, request_ids=[1, 2], max_choices=1, closes_at=now + timedelta(days=7),
                          now=now, actor="system")
        anna_row = session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).one()
        cast_ballot(session, vote_id=vote.id, person=anna_row, request_ids=[2], now=now)
        anna_id = anna_row.id
    replies = await bot.say(anna, "/mijngegevens")
    data = json.loads(await download(bot, replies[-1]["document"]["file_id"]))
    assert [(b["vote_id"], b["request_ids"]) for b in data["ballots_in_priority_votes"]] == [(vote.id, [2])]
    replies = await bot.say(anna, "/vergeetmij")
    await bot.press(anna, last_with_buttons(replies), "privacy:erase")
    assert scan_for(bot, ANNA_ID) == []
    with bot.db.read() as session:
        assert session.exec(select(Ballot).where(Ballot.person_id == anna_id)).all() == []
        assert ballot_count(session, vote_id=vote.id) == 0
        assert session.get(PriorityVote, vote.id) is not None and len(session.exec(select(VoteOption)).all()) == 2

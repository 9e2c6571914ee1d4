"""The prioritisation vote over the real bot: opened in the wijkraad group, cast in private chat, closed on time."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from scheduler.jobs import close_votes
from storage.models import Ballot, PriorityVote, Request, VoteOption, as_utc
from storage.workflow import Actor, Role, transition
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member
from tests.harness import Harness, button_data, last_with_buttons, person, texts

ANNA, JOHN, STAN = person(1500, "nl", "Anna"), person(1501, "en", "John"), person(1502, name="Stan")


async def current(bot: Harness, chat_id: int, message_id: int) -> dict[str, Any]:
    """A message as the chat shows it now (after edits)."""
    return next(m for m in await bot.pg.bot_messages(chat_id) if m["message_id"] == message_id)



@pytest.fixture
async def wijk(bot: Harness) -> Harness:
    """A linked wijkraad group, three requests routed to a partner, and two residents who follow the wijk."""
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))
    for n, text in enumerate(("Een nieuwe schommel in de speeltuin aan de Leidsevaart, graag.",
                              "Meer fietsenrekken bij het station aan de Leidsevaart, graag.",
                              "Een bankje bij de vijver in het park aan de Leidsevaart, graag.")):
        await file(bot, person(1510 + n), text)
    with bot.db.transaction_sync() as session:  # the wijkraad sent them to a partner: residents may vote on them
        for request in session.exec(select(Request)).all():
            transition(session, request=request, action="route", actor=Actor(Role.WIJKRAAD, None, "wijkraad"))
    for resident in (ANNA, JOHN):
        await bot.say(resident, "/volg Leidsebuurt")
    await bot.new_messages(GROUP_A["id"])
    return bot


async def open_vote(bot: Harness) -> None:
    """Wim opens a vote over W-0001..W-0003, two choices each, seven days."""
    setup = last_with_buttons(await bot.say(WIM, "/stemming", chat=GROUP_A))
    assert "Nieuwe stemming" in setup["text"] and "W-0003" in setup["text"]
    for request_id in (1, 2, 3):
        await bot.press(WIM, setup, f"vote_setup:pick:{request_id}", chat_id=GROUP_A["id"])
    setup = await current(bot, GROUP_A["id"], setup["message_id"])
    assert "Gekozen: 3" in setup["text"] and button_data(setup, "✅ W-0002")
    for data in ("vote_setup:next", "vote_setup:choices:2", "vote_setup:days:7"):
        assert not (await bot.press_data(WIM, GROUP_A["id"], setup["message_id"], data)).get("show_alert"), data
    setup = await current(bot, GROUP_A["id"], setup["message_id"])
    assert "hoogstens 2" in setup["text"] and "20:00" in setup["text"]
    await bot.press(WIM, setup, "vote_setup:open", chat_id=GROUP_A["id"])
    assert "Geopend door Wim" in (await current(bot, GROUP_A["id"], setup["message_id"]))["text"]


async def test_a_stranger_cannot_start_set_up_or_close_a_vote(wijk: Harness) -> None:
    bot = wijk
    assert "Alleen leden van de wijkraad van Leidsebuurt" in texts(await bot.say(STAN, "/stemming", chat=GROUP_A))
    setup = last_with_buttons(await bot.say(WIM, "/stemming", chat=GROUP_A))
    for data in ("vote_setup:pick:1", "vote_setup:next", "vote_setup:open", "vote_setup:cancel"):
        answer = await bot.press_data(STAN, GROUP_A["id"], setup["message_id"], data)
        assert answer["show_alert"] and "Alleen leden van de wijkraad van Leidsebuurt" in answer["text"], data
    assert "Gekozen: 0" in (await current(bot, GROUP_A["id"], setup["message_id"]))["text"]
    await bot.press(WIM, setup, "vote_setup:cancel", chat_id=GROUP_A["id"])
    await open_vote(bot)
    status = last_with_buttons(await bot.say(WIM, "/stemming", chat=GROUP_A))
    assert "loopt" in status["text"] and "Uitgebracht: 0" in status["text"]
    answer = await bot.press_data(STAN, GROUP_A["id"], status["message_id"], button_data(status, "Nu sluiten"))
    assert answer["show_alert"] and "Alleen leden" in answer["text"]
    with bot.db.read() as session:
        assert session.exec(select(PriorityVote)).one().status == "open"


async def test_residents_vote_once_each_and_the_vote_closes_on_time(wijk: Harness) -> None:
    bot = wijk
    await open_vote(bot)
    ballot_anna = last_with_buttons(await bot.new_messages(ANNA["id"]))
    ballot_john = last_with_buttons(await bot.new_messages(JOHN["id"]))
    assert "wat komt eerst in Leidsebuurt" in ballot_anna["text"] and "nog niet gestemd" in ballot_anna["text"]
    assert "what comes first in Leidsebuurt" in ballot_john["text"] and "Save vote" in str(ballot_john["reply_markup"])

    # Anna ticks W-0001 and W-0002, saves twice, then changes her mind to W-0003 only.
    chat = ANNA["id"]
    for data in ("ballot:pick:1:1", "ballot:pick:1:2"):
        await bot.press(ANNA, ballot_anna, data)
    answer = await bot.press_data(ANNA, chat, ballot_anna["message_id"], "ballot:pick:1:3")  # a third is one too many
    assert answer["show_alert"] and "hoogstens 2" in answer["text"]
    for _ in range(2):
        answer = await bot.press_data(ANNA, chat, ballot_anna["message_id"], "ballot:save:1")
        assert "opgeslagen" in answer["text"]
    assert "Je stem nu: W-0001, W-0002" in (await current(bot, chat, ballot_anna["message_id"]))["text"]
    for data in ("ballot:pick:1:1", "ballot:pick:1:2", "ballot:pick:1:3"):
        await bot.press(ANNA, ballot_anna, data)
    await bot.press(ANNA, ballot_anna, "ballot:save:1")
    assert "Je stem nu: W-0003" in (await current(bot, chat, ballot_anna["message_id"]))["text"]

    # John votes W-0003 and W-0001; /stem gives him his ballot again, ticked as he voted.
    for data in ("ballot:pick:1:3", "ballot:pick:1:1", "ballot:save:1"):
        await bot.press(JOHN, ballot_john, data)
    again = last_with_buttons(await bot.say(JOHN, "/stem"))
    assert "Your vote now: W-0001, W-0003" in again["text"] and button_data(again, "✅ W-0003")

    # Someone who does not follow the wijk cannot vote with a forged press.
    nothing = await bot.say(STAN, "/stem")
    assert "geen stemming in een wijk die je volgt" in texts(nothing)
    answer = await bot.press_data(STAN, STAN["id"], nothing[-1]["message_id"], "ballot:save:1")
    assert answer["show_alert"] and "Alleen wie Leidsebuurt volgt" in answer["text"]
    with bot.db.read() as session:
        ballots = {b.person_id: b.request_ids for b in session.exec(select(Ballot))}
        assert sorted(ballots.values()) == [[1, 3], [3]]
        vote = session.exec(select(PriorityVote)).one()
    assert "Uitgebracht: 2" in texts(await bot.say(WIM, "/stemming", chat=GROUP_A))

    # Time passes: the scheduler's job closes it, once.
    with bot.db.transaction_sync() as session:
        assert close_votes(session, now=as_utc(vote.closes_at) - timedelta(minutes=1), tz=bot_tz()) == 0
    with bot.db.transaction_sync() as session:
        assert close_votes(session, now=as_utc(vote.closes_at) + timedelta(seconds=5), tz=bot_tz()) == 1
    with bot.db.transaction_sync() as session:
        assert close_votes(session, now=as_utc(vote.closes_at) + timedelta(minutes=1), tz=bot_tz()) == 0
    group = texts(await bot.wait_new(GROUP_A["id"]))
    assert "Uitslag van de stemming in Leidsebuurt" in group and "2 bewoners hebben gestemd" in group
    assert "1. <b>W-0003</b>" not in group  # sent as HTML: the tags are formatting, not text
    assert group.index("W-0003") < group.index("W-0001") < group.index("W-0002")
    assert "W-0003 – 2 stemmen ⭐ Prioriteit" in group and "W-0002 – 0 stemmen:" in group
    assert "Result of the vote" in texts(await bot.wait_new(JOHN["id"]))
    anna_told = texts(await bot.wait_new(ANNA["id"]))
    assert "Uitslag" in anna_told and "Dank je voor je stem" in anna_told
    await asyncio.sleep(0.3)
    assert await bot.new_messages(GROUP_A["id"]) == []  # closing twice sent nothing twice
    with bot.db.read() as session:
        assert {r.reference for r in session.exec(select(Request).where(Request.priority))} == {"W-0001", "W-0003"}
        assert {o.request_id: o.votes for o in session.exec(select(VoteOption))} == {1: 1, 2: 0, 3: 2}
    answer = await bot.press_data(ANNA, chat, ballot_anna["message_id"], "ballot:save:1")  # too late now
    assert answer["show_alert"] and "gesloten" in answer["text"]
    assert "⭐ Prioriteit" in texts(await bot.say(WIM, "/verzoek W-0003", chat=GROUP_A))


async def test_close_now_in_the_group(wijk: Harness) -> None:
    bot = wijk
    await open_vote(bot)
    ballot = last_with_buttons(await bot.new_messages(ANNA["id"]))
    for data in ("ballot:pick:1:2", "ballot:save:1"):
        await bot.press(ANNA, ballot, data)
    status = last_with_buttons(await bot.say(WIM, "/stemming", chat=GROUP_A))
    replies = await bot.press(WIM, status, "Nu sluiten", chat_id=GROUP_A["id"])
    assert "Uitslag" in texts(replies) and "W-0002 – 1 stem ⭐ Prioriteit" in texts(replies)
    answer = await bot.press_data(WIM, GROUP_A["id"], status["message_id"], button_data(status, "Nu sluiten"))
    assert "al gesloten" in answer["text"]
    assert await bot.new_messages(GROUP_A["id"]) == []
    with bot.db.read() as session:
        assert [r.reference for r in session.exec(select(Request).where(Request.priority))] == ["W-0002"]


def bot_tz():  # type: ignore[no-untyped-def]
    """The municipality's time zone the bot under test runs in."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")

"""Forged button presses with odd numbers: a kind refusal, nothing changed, no error in the log."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from conversations.buttons import MAX_ID, parse_id, parse_number
from storage.models import Answer, RequestRoute, StatusChange
from tests.e2e.test_answers import PIM, card_request, partners, route_to  # noqa: F401 (fixture)
from tests.e2e.test_triage import GROUP_A, WIM, file, status_of, wijkraden  # noqa: F401 (fixture)
from tests.harness import Harness, last_with_buttons, person, texts

HUGE = "9" * 20  # beyond any database integer
APOLOGY = "er ging iets mis"


def no_errors(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing was logged as an error (a failing handler logs one)."""
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []


def test_button_numbers_are_bounded() -> None:
    assert parse_id("triage:page:12:3", 2) == 12 and parse_id("triage:page:12:3") == 3
    assert parse_id(f"triage:page:{HUGE}:0", 2) is None
    assert parse_id(f"triage:show:{MAX_ID}") == MAX_ID and parse_id(f"triage:show:{MAX_ID + 1}") is None
    assert parse_id("triage:show:١٢") is None  # digits of another script
    assert parse_id("triage:show:-1") is None and parse_id("triage:show:") is None and parse_id("triage:show:1", 5) is None
    assert parse_number(None) is None and parse_number("007") == 7


async def test_forged_triage_presses_with_huge_ids(wijkraden: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot = wijkraden
    card = await file(bot, person(1310), "De schommel in de speeltuin aan de Leidsevaart is al weken kapot.")
    queue = (await bot.say(WIM, "/wachtrij", chat=GROUP_A))[-1]
    assert "W-0001" in queue["text"]
    caplog.clear()
    # Any number beyond the database's ids makes the whole button unreadable: a kind refusal, nothing changes.
    for message, data in ((queue, f"triage:page:{HUGE}:0"), (card, f"triage:show:{HUGE}"), (card, f"triage:melding:{HUGE}"),
                          (card, f"triage:duplicate_of:{HUGE}:1"), (card, f"triage:pick:1:{HUGE}"),
                          (card, f"triage:duplicate_of:1:{HUGE}"), (queue, f"triage:page:1:{HUGE}")):
        answer = await bot.press_data(WIM, GROUP_A["id"], message["message_id"], data)
        assert answer is not None and answer["show_alert"], data
        assert APOLOGY not in answer["text"], data
    assert "W-0001" in [m for m in await bot.pg.bot_messages(GROUP_A["id"])
                        if m["message_id"] == queue["message_id"]][0]["text"]
    no_errors(caplog)
    assert status_of(bot, "W-0001") == "submitted"
    with bot.db.read() as session:
        assert len(session.exec(select(StatusChange)).all()) == 1
    assert APOLOGY not in texts(await bot.new_messages(GROUP_A["id"]))


async def test_passing_on_to_ones_own_organisation_is_refused(partners: Harness,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    bot = partners
    card = await file(bot, person(1311), "Meer prullenbakken langs de Leidsevaart, er ligt veel zwerfafval.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    replies = await bot.press(PIM, inbox, "Doorgeven")
    choice = last_with_buttons(replies)
    with bot.db.read() as session:
        route = session.exec(select(RequestRoute)).one()
    caplog.clear()
    answer = await bot.press_data(PIM, PIM["id"], choice["message_id"], f"answer:pass_to:{route.organisation_id}")
    assert answer["show_alert"] and "ligt al bij jullie" in answer["text"]
    answer = await bot.press_data(PIM, PIM["id"], choice["message_id"], f"answer:pass_to:{HUGE}")
    assert answer["show_alert"] and "bestaat niet" in answer["text"]
    replies = await bot.say(PIM, "Dit is eigenlijk iets voor onze eigen buitendienst.")
    assert APOLOGY not in texts(replies) and "past niet bij deze stap" in texts(replies)
    no_errors(caplog)
    with bot.db.read() as session:
        routes = session.exec(select(RequestRoute)).all()
        assert [(r.organisation_id, r.status) for r in routes] == [(route.organisation_id, "open")]
    assert status_of(bot, "W-0001") == "routed"
    # A real choice still works afterwards.
    replies = await bot.press(PIM, choice, "Politie")
    replies = await bot.say(PIM, "Dit gaat over handhaving, dat is aan de politie.")
    assert "Doorgegeven aan" in texts(replies)


async def answer_in_planning(bot: Harness, inbox: dict[str, Any]) -> None:
    """Pim gives a category-3 answer (already in the multi-year planning)."""
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:in_planning")
    replies = await bot.say(PIM, (date.today() + timedelta(days=400)).strftime("%d-%m-%Y"))
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:adjusted:yes")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:no_means")
    replies = await bot.say(PIM, "De bankjes staan al in de meerjarenplanning voor volgend jaar.")
    await bot.press(PIM, last_with_buttons(replies), "answer:send")


async def test_an_outcome_only_for_a_category_4_answer(partners: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot = partners
    card = await file(bot, person(1312), "Graag meer bankjes langs de Leidsevaart voor oudere bewoners.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    await answer_in_planning(bot, inbox)
    with bot.db.read() as session:
        answer = session.exec(select(Answer)).one()
    assert answer.category == "in_planning"
    caplog.clear()
    for data in (f"answer:outcome:{answer.id}", f"answer:outcome:{HUGE}", f"answer:begin:start:{HUGE}"):
        pressed = await bot.press_data(PIM, PIM["id"], inbox["message_id"], data)
        assert pressed["show_alert"], data
    replies = await bot.say(PIM, "Het besluit is genomen: de bankjes komen er in het voorjaar.")
    assert APOLOGY not in texts(replies) and "Dank je" not in texts(replies)
    no_errors(caplog)
    with bot.db.read() as session:
        assert session.exec(select(Answer)).one().outcome is None


async def test_forged_votes_and_supports_and_an_odd_digit(wijkraden: Harness, caplog: pytest.LogCaptureFixture) -> None:
    bot = wijkraden
    rita = person(1313, "nl", "Rita")
    card = await file(bot, rita, "Graag een watertappunt bij het speelveld aan de Leidsevaart.")
    await bot.new_messages(rita["id"])
    caplog.clear()
    for data in (f"vote:close:{HUGE}", f"ballot:save:{HUGE}", f"ballot:pick:{HUGE}:1", f"ballot:pick:1:{HUGE}"):
        answer = await bot.press_data(WIM, GROUP_A["id"], card["message_id"], data)
        assert answer is not None and answer["show_alert"], data
    listing = await bot.say(rita, "/wijk")
    answer = await bot.press_data(rita, rita["id"], listing[-1]["message_id"], f"support:{HUGE}")
    assert answer["show_alert"] and "niet meer open" in answer["text"]

    # An initiative asks how many volunteers: "²" is a digit to str.isdigit(), but not a number to int().
    await bot.say(rita, "/nieuw")
    replies = await bot.say(rita, "Leidsebuurt")
    replies = await bot.press(rita, last_with_buttons(replies), "intake:kind:initiative")
    replies = await bot.press(rita, last_with_buttons(replies), "intake:theme:groen")
    replies = await bot.say(rita, "Wij willen samen bloembakken neerzetten langs de Leidsevaart.")
    replies = await bot.press(rita, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(rita, "Overslaan")
    replies = await bot.say(rita, "Tien buren vullen en verzorgen de bakken elke week.")
    replies = await bot.say(rita, "²")
    assert "Typ een aantal als cijfer" in texts(replies) and APOLOGY not in texts(replies)
    replies = await bot.say(rita, "8")
    assert "Typ een aantal" not in texts(replies)
    await bot.say(rita, "/annuleer")
    no_errors(caplog)
    assert status_of(bot, "W-0001") == "submitted"


async def test_buttons_with_the_old_short_data_are_stale(wijkraden: Harness, caplog: pytest.LogCaptureFixture) -> None:
    """Buttons sent before the data became readable (tri:, vsu:, bud:, ctr:, adm:, link:…) change nothing."""
    bot = wijkraden
    card = await file(bot, person(1314), "De lantaarnpaal bij de Leidsevaart brandt al een week niet.")
    caplog.clear()
    for data in ("tri:melding:1", "tri:route:1", "tri:oos:1", "ans:outcome:1", "ans:start:1", "sat:1:yes", "vsu:go", "vote:s:1", "bud:ok",
                 "ctr:get:1", "adm:menu", "link:no", "prog:pct:100"):
        answer = await bot.press_data(WIM, GROUP_A["id"], card["message_id"], data)
        assert answer is not None and answer["show_alert"], data
        assert "Deze knop werkt niet meer" in answer["text"], data
    no_errors(caplog)
    assert status_of(bot, "W-0001") == "submitted"
    assert APOLOGY not in texts(await bot.new_messages(GROUP_A["id"]))

"""Partners answer: across all roles, through the playground."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from storage.models import Afspraak, Answer, MembershipRole, Organisation, RequestRoute
from storage.people import get_or_create_person
from storage.roles import grant
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member, status_of
from tests.harness import Harness, last_with_buttons, person, texts

PIM = person(950, name="Pim")  # gemeente, openbare ruimte
POL = person(951, name="Pol")  # politie
OPENBARE_RUIMTE = "haarlem-openbare-ruimte"
POLITIE = "politie-kennemerland-haarlem"


def make_partner(bot: Harness, user: dict[str, Any], organisation_code: str) -> int:
    """Register a partner member; returns the organisation id."""
    with bot.db.transaction_sync() as session:
        member = get_or_create_person(session, telegram_id=user["id"], language="nl")
        organisation = session.exec(select(Organisation).where(Organisation.code == organisation_code)).one()
        grant(session, person=member, role=MembershipRole.PARTNER, organisation_id=organisation.id,
              display_name=user["first_name"])
        return organisation.id


@pytest.fixture
async def partners(bot: Harness) -> Harness:
    """A wijkraad group and two partner members."""
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    await bot.say(WIM, "/koppel", chat=GROUP_A)
    make_partner(bot, PIM, OPENBARE_RUIMTE)
    make_partner(bot, POL, POLITIE)
    for member in (PIM, POL):
        await bot.say(member, "/start")  # as when they opened their invitation
    return bot


async def route_to(bot: Harness, card: dict[str, Any], organisation_names: list[str]) -> None:
    """The wijkraad member routes the card to these partners."""
    await bot.press(WIM, card, f"triage:route:{card_request(card)}", chat_id=GROUP_A["id"])
    for name in organisation_names:
        current = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
        await bot.press(WIM, current, name, chat_id=GROUP_A["id"])
    current = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    await bot.press(WIM, current, f"triage:route_send:{card_request(card)}", chat_id=GROUP_A["id"])


def card_request(card: dict[str, Any]) -> int:
    """The request id on a card."""
    return int(card["text"].split("W-")[1][:4])


async def test_two_partners_one_answers_one_hands_back_progress_reaches_the_resident(partners: Harness) -> None:
    bot = partners
    john = person(960, "en", "John")
    card = await file(bot, john, "The swing in the playground on the Leidsevaart has been broken for weeks.")
    await route_to(bot, card, ["Beheer openbare ruimte", "Politie"])
    await bot.new_messages(960)

    # Each partner got the request privately, with its deadline and the three buttons.
    pim_inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    pol_inbox = last_with_buttons(await bot.new_messages(POL["id"]))
    assert "W-0001" in pim_inbox["text"] and "uiterlijk" in pim_inbox["text"]
    assert "John" not in pim_inbox["text"]  # the resident stays anonymous

    # Pim answers category 2 with a planned date in the contract period.
    replies = await bot.press(PIM, pim_inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:within_period")
    # The contract period is the calendar year (no period was started in /beheer): a date in it.
    planned = min(date.today() + timedelta(days=60), date(date.today().year, 12, 31))
    replies = await bot.say(PIM, planned.strftime("%d-%m-%Y"))
    replies = await bot.say(PIM, "Eén ploeg, twee dagen")
    replies = await bot.say(PIM, "We vervangen de schommel binnen twee maanden door een nieuwe.")
    preview = last_with_buttons(replies)
    assert "Voorbeeld" in preview["text"] and "We vervangen de schommel" in preview["text"]
    replies = await bot.press(PIM, preview, "answer:send")
    assert "Verstuurd" in texts(replies) and "/voortgang" in texts(replies)

    # Pol says it is not theirs.
    replies = await bot.press(POL, pol_inbox, "Niet van ons")
    replies = await bot.say(POL, "Een kapotte schommel is geen zaak voor de politie.")
    assert "Teruggegeven" in texts(replies)

    assert status_of(bot, "W-0001") == "answered"
    with bot.db.read() as session:
        afspraak = session.exec(select(Afspraak)).one()
        assert afspraak.deadline == planned and afspraak.means == "Eén ploeg, twee dagen"
        assert {r.status for r in session.exec(select(RequestRoute))} == {"answered", "returned"}

    # The resident heard both, in English, with the partner's own text as written.
    heard = texts(await bot.new_messages(960))
    assert "We vervangen de schommel binnen twee maanden" in heard
    assert "Answer from" in heard
    assert "Politie" in heard
    group = texts(await bot.new_messages(GROUP_A["id"]))
    assert "beantwoord" in group and "geen zaak voor de politie" in group

    # Progress and done reach the resident.
    replies = await bot.say(PIM, "/voortgang")
    replies = await bot.press(PIM, last_with_buttons(replies), f"progress:pick:{afspraak.id}")
    replies = await bot.say(PIM, "De nieuwe schommel is besteld.")
    replies = await bot.press(PIM, last_with_buttons(replies), "progress:percent:50")
    assert "50%" in texts(await bot.new_messages(960))
    replies = await bot.say(PIM, "/voortgang")
    replies = await bot.press(PIM, last_with_buttons(replies), f"progress:pick:{afspraak.id}")
    replies = await bot.send(PIM, "photo", data=b"\x89PNG nieuwe schommel", caption="De schommel hangt er weer.")
    replies = await bot.press(PIM, last_with_buttons(replies), "progress:percent:100")
    heard = texts(await bot.new_messages(960))
    assert "De schommel hangt er weer" in heard
    with bot.db.read() as session:
        assert session.exec(select(Afspraak)).one().status == "done"
    replies = await bot.say(PIM, "/afspraken")
    assert "W-0001" in texts(replies)


async def test_cannot_answer_and_an_unhappy_resident_reopens_it(partners: Harness) -> None:
    bot = partners
    anna = person(961, "nl", "Anna")
    card = await file(bot, anna, "Graag een zebrapad op de Leidsevaart bij de speeltuin voor de kinderen.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:not_possible")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:reason:legal")
    replies = await bot.say(PIM, "Te kort")  # a motivation is required and must be meaningful
    assert "verplicht" in texts(replies)
    replies = await bot.say(PIM, "Op een weg met 50 km/u mag volgens de richtlijnen geen zebrapad liggen.")
    replies = await bot.say(PIM, "Het spijt ons, een zebrapad is hier wettelijk niet toegestaan.")
    await bot.press(PIM, last_with_buttons(replies), "answer:send")
    answer_message = last_with_buttons(await bot.new_messages(961))
    assert "wettelijk" in answer_message["text"] and "50 km/u" in answer_message["text"]
    await bot.new_messages(GROUP_A["id"])
    replies = await bot.press_data(anna, 961, answer_message["message_id"], "satisfaction:1:no")
    assert status_of(bot, "W-0001") == "submitted"  # back on the wijkraad's table
    group = await bot.new_messages(GROUP_A["id"])
    assert "niet tevreden" in texts(group) and last_with_buttons(group)
    replies = await bot.say(anna, "Het is hier echt gevaarlijk voor de kinderen.")
    assert "doorgegeven" in texts(replies)
    with bot.db.read() as session:
        answer = session.exec(select(Answer)).one()
        assert answer.satisfaction == "not_satisfied" and "gevaarlijk" in answer.satisfaction_comment


async def test_required_fields_per_category_are_enforced(partners: Harness) -> None:
    bot = partners
    card = await file(bot, person(962), "Meer prullenbakken langs de Leidsevaart, er ligt veel zwerfafval.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    # Category 2: a date outside the contract period is refused with the period named.
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:within_period")
    far = date.today() + timedelta(days=800)
    replies = await bot.say(PIM, far.strftime("%d-%m-%Y"))
    assert "buiten de contractperiode" in texts(replies)
    replies = await bot.say(PIM, "ergens volgend jaar")
    assert "begrijp ik niet" in texts(replies)
    replies = await bot.say(PIM, "29-2-2027")
    assert "bestaat niet" in texts(replies)
    # Start again with category 4: the decision date is required.
    replies = await bot.say(PIM, "/annuleer")
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:prioritisation")
    replies = await bot.say(PIM, "gisteren")
    assert "begrijp ik niet" in texts(replies) or "verleden" in texts(replies)
    replies = await bot.say(PIM, "Q2 2027")
    replies = await bot.say(PIM, "kort")  # the text for the resident is required too
    assert "verplicht" in texts(replies)
    replies = await bot.say(PIM, "We nemen dit mee in de prioritering van het beheerplan 2028.")
    await bot.press(PIM, last_with_buttons(replies), "answer:send")
    with bot.db.read() as session:
        answer = session.exec(select(Answer)).one()
        assert answer.category == "prioritisation" and answer.decision_date == date(2027, 6, 30)
        assert session.exec(select(Afspraak)).all() == []  # category 4 is not an afspraak


async def test_a_stranger_cannot_answer_for_a_partner(partners: Harness) -> None:
    bot = partners
    card = await file(bot, person(963), "Meer prullenbakken langs de Leidsevaart, er ligt veel zwerfafval.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    with bot.db.read() as session:
        route_id = session.exec(select(RequestRoute)).one().id
    for intruder in (POL, person(964)):
        answer = await bot.press_data(intruder, PIM["id"], inbox["message_id"], f"answer:begin:start:{route_id}")
        assert answer["show_alert"]
    assert status_of(bot, "W-0001") == "routed"


async def test_prioritisation_outcome_is_asked_at_the_decision_date(partners: Harness) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from scheduler.jobs import ask_for_outcomes

    bot = partners
    anna = person(965, "nl", "Anna")
    card = await file(bot, anna, "Graag een nieuw speeltoestel voor oudere kinderen op het Leidseplein.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:prioritisation")
    replies = await bot.say(PIM, "Q4 2027")
    replies = await bot.say(PIM, "We nemen het speeltoestel mee in de prioritering voor 2028.")
    await bot.press(PIM, last_with_buttons(replies), "answer:send")
    await bot.new_messages(965)
    await bot.new_messages(GROUP_A["id"])

    tz = ZoneInfo("Europe/Amsterdam")
    with bot.db.transaction_sync() as session:  # the day before: nothing is due
        assert ask_for_outcomes(session, now=datetime(2027, 12, 30, 8, 0, tzinfo=UTC), tz=tz) == 0
    with bot.db.transaction_sync() as session:  # the decision date, 09:00 local
        assert ask_for_outcomes(session, now=datetime(2027, 12, 31, 8, 0, tzinfo=UTC), tz=tz) == 1
    with bot.db.transaction_sync() as session:  # asked once only
        assert ask_for_outcomes(session, now=datetime(2028, 1, 3, 8, 0, tzinfo=UTC), tz=tz) == 0
    question = last_with_buttons(await bot.wait_new(PIM["id"]))
    assert "W-0001" in question["text"]
    replies = await bot.press(PIM, question, "Uitkomst doorgeven")
    replies = await bot.say(PIM, "Het speeltoestel staat in het beheerplan 2028, uitvoering in het voorjaar.")
    assert "Dank je" in texts(replies)
    assert "beheerplan 2028" in texts(await bot.new_messages(965))
    assert "beheerplan 2028" in texts(await bot.new_messages(GROUP_A["id"]))


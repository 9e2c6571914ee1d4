"""Triage in two wijkraad groups: every action, strangers and other wijken refused, residents told."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import SQLModel, select

from storage.models import Area, Membership, MembershipRole, Person, Request, RequestRoute, StatusChange, Support
from storage.people import get_or_create_person
from storage.roles import grant
from storage.working_days import add_working_days
from storage.workflow import Actor, Role, transition
from tests.harness import Harness, button_data, last_with_buttons, person, texts

GROUP_A = {"id": -2001, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}
GROUP_B = {"id": -2002, "type": "supergroup", "title": "Wijkraad Boerhaavewijk"}
WIM, WIL, BEA, STAN = person(900, name="Wim"), person(903, name="Wil"), person(901, name="Bea"), person(902, name="Stan")


def make_member(bot: Harness, user: dict[str, Any], wijk_code: str) -> None:
    """Register a wijkraad member (as an invitation would)."""
    with bot.db.transaction_sync() as session:
        member = get_or_create_person(session, telegram_id=user["id"], language="nl")
        wijk = session.exec(select(Area).where(Area.code == wijk_code)).one()
        grant(session, person=member, role=MembershipRole.WIJKRAAD, area_id=wijk.id, display_name=user["first_name"])


@pytest.fixture
async def wijkraden(bot: Harness) -> Harness:
    """Two wijkraad groups, linked by their members."""
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    make_member(bot, WIL, "zuid-west-leidsebuurt")
    make_member(bot, BEA, "schalkwijk-boerhaavewijk")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))
    assert "Boerhaavewijk" in texts(await bot.say(BEA, "/koppel", chat=GROUP_B))
    return bot


async def file(bot: Harness, user: dict[str, Any], text: str, wijk: str = "Leidsebuurt") -> dict[str, Any]:
    """A resident files a wish; returns the card the wijkraad group got."""
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, wijk)
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:spelen")
    replies = await bot.say(user, text)
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    await bot.press(user, last_with_buttons(replies), "intake:confirm")
    group = GROUP_A if wijk == "Leidsebuurt" else GROUP_B
    cards = await bot.new_messages(group["id"])
    return last_with_buttons(cards) if cards else {}  # no card when no wijkraad group is linked


def status_of(bot: Harness, reference: str) -> str:
    """A request's status now."""
    with bot.db.read() as session:
        return session.exec(select(Request).where(Request.reference == reference)).one().status


async def test_card_goes_to_the_right_group_only(wijkraden: Harness) -> None:
    bot = wijkraden
    card = await file(bot, person(910), "De schommel in de speeltuin aan de Leidsevaart is al weken kapot.")
    assert "W-0001" in card["text"] and "schommel" in card["text"] and "Leidsebuurt" in card["text"]
    assert {"triage:route:1", "triage:melding:1", "triage:duplicate:1", "triage:out_of_scope:1", "triage:ask:1"} <= {
        b["callback_data"] for row in card["reply_markup"]["inline_keyboard"] for b in row}
    assert await bot.new_messages(GROUP_B["id"]) == []


async def test_strangers_and_other_wijken_are_refused(wijkraden: Harness) -> None:
    bot = wijkraden
    card = await file(bot, person(911), "De schommel in de speeltuin aan de Leidsevaart is al weken kapot.")
    await bot.new_messages(911)  # the filing's own replies
    for intruder in (STAN, BEA):
        for data in ("triage:melding:1", "triage:route:1", "triage:route_send:1", "triage:out_of_scope:1", "triage:duplicate_of:1:1", "triage:show:1"):
            answer = await bot.press_data(intruder, GROUP_A["id"], card["message_id"], data)
            assert answer["show_alert"] and "Alleen leden van de wijkraad van Leidsebuurt" in answer["text"]
    # Forged data naming a request that does not exist.
    answer = await bot.press_data(WIM, GROUP_A["id"], card["message_id"], "triage:melding:999")
    assert answer["show_alert"]
    assert status_of(bot, "W-0001") == "submitted"
    assert await bot.new_messages(911) == []  # the resident heard nothing new
    with bot.db.read() as session:
        assert len(session.exec(select(StatusChange)).all()) == 1


async def test_route_to_two_partners(wijkraden: Harness) -> None:
    bot = wijkraden
    john = person(912, "en", "John")
    card = await file(bot, john, "Please repair the broken swing in the playground on the Leidsevaart.")
    await bot.new_messages(912)
    await bot.press(WIM, card, "triage:route:1", chat_id=GROUP_A["id"])
    card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    partner_buttons = [b for row in card["reply_markup"]["inline_keyboard"] for b in row if b["callback_data"].startswith("triage:pick:")]
    assert len(partner_buttons) >= 2
    for button in partner_buttons[:2]:
        await bot.press(WIM, card, button["callback_data"], chat_id=GROUP_A["id"])
        card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    await bot.press(WIM, card, "triage:route_send:1", chat_id=GROUP_A["id"])
    assert status_of(bot, "W-0001") == "routed"
    card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    assert "doorgezet naar" in card["text"] and "Wim" in card["text"]
    assert not (card.get("reply_markup") or {}).get("inline_keyboard")
    with bot.db.read() as session:
        routes = session.exec(select(RequestRoute)).all()
        assert len(routes) == 2
        today = date.today()
        assert {r.deadline for r in routes} == {add_working_days(today, 15)}
    told = texts(await bot.new_messages(912))
    assert "has been forwarded by the wijkraad" in told, told
    assert partner_buttons[0]["text"].removeprefix("▫️ ") in told


async def test_melding_tells_the_resident_where_to_go(wijkraden: Harness) -> None:
    bot = wijkraden
    card = await file(bot, person(913), "Er ligt al dagen een kapotte fiets op de stoep bij nummer 12.")
    await bot.new_messages(913)
    await bot.press(WIM, card, "triage:melding:1", chat_id=GROUP_A["id"])
    assert status_of(bot, "W-0001") == "solved_directly"
    told = texts(await bot.new_messages(913))
    assert "melding" in told and "W-0001" in told
    card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    assert button_data(card, "triage:route:1")  # it can still be routed instead


async def test_duplicate_moves_support_and_tells_where_to_follow(wijkraden: Harness) -> None:
    bot = wijkraden
    await file(bot, person(914), "De schommel in de speeltuin aan de Leidsevaart is kapot, graag repareren.")
    second = await file(bot, person(915), "Kapotte schommel in de speeltuin Leidsevaart, kan die gemaakt worden?")
    await bot.new_messages(915)
    await bot.press(WIM, second, "triage:duplicate:2", chat_id=GROUP_A["id"])
    card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == second["message_id"]][0]
    await bot.press(WIM, card, "triage:duplicate_of:2:1", chat_id=GROUP_A["id"])
    assert status_of(bot, "W-0002") == "duplicate"
    assert "W-0001" in texts(await bot.new_messages(915))
    with bot.db.read() as session:
        supporter = session.exec(select(Person).where(Person.telegram_id == 915)).one()
        assert session.exec(select(Support).where(Support.person_id == supporter.id, Support.request_id == 1)).one()


async def test_out_of_scope_with_a_typed_reason_in_english(wijkraden: Harness) -> None:
    bot = wijkraden
    john = person(916, "en", "John")
    card = await file(bot, john, "My neighbour plays loud music every night, please make him stop.")
    await bot.new_messages(916)
    replies = await bot.press(WIM, card, "triage:out_of_scope:1", chat_id=GROUP_A["id"])
    prompt = replies[-1]
    assert prompt["reply_markup"].get("force_reply")
    replies = await bot.say(WIM, "Dit is een burenruzie; daarvoor is buurtbemiddeling er.", chat=GROUP_A,
                            reply_to=prompt["message_id"])
    assert "buiten het wijkcontract" in texts(replies)
    assert status_of(bot, "W-0001") == "out_of_scope"
    told = texts(await bot.new_messages(916))
    assert "burenruzie" in told and "14 023" in told and "Thank you" in told


async def test_ask_the_resident_and_the_answer_comes_back_anonymously(wijkraden: Harness) -> None:
    bot = wijkraden
    anna = person(917, "nl", "Anna")
    card = await file(bot, anna, "De lantaarnpaal in de Leidsestraat doet het niet meer sinds vorige week.")
    await bot.new_messages(917)
    replies = await bot.press(WIM, card, "triage:ask:1", chat_id=GROUP_A["id"])
    replies = await bot.say(WIM, "Bij welk huisnummer staat de lantaarnpaal?", chat=GROUP_A, reply_to=replies[-1]["message_id"])
    assert status_of(bot, "W-0001") == "awaiting_resident"
    question = (await bot.new_messages(917))[-1]
    assert "huisnummer" in question["text"] and "Wim" not in question["text"]
    replies = await bot.say(anna, "Tegenover nummer 25.", reply_to=question["message_id"])
    assert "doorgegeven" in texts(replies)
    group = await bot.new_messages(GROUP_A["id"])
    answer = [m for m in group if "Tegenover nummer 25" in (m["text"] or "")][0]
    assert "Anna" not in answer["text"] and answer.get("reply_to_message_id") == card["message_id"]
    assert status_of(bot, "W-0001") == "submitted"


async def test_two_members_press_at_once_one_wins(wijkraden: Harness) -> None:
    bot = wijkraden
    card = await file(bot, person(918), "Er wordt veel te hard gereden in de Leidsestraat, vooral 's avonds.")
    first = await bot.pg.press(WIM, GROUP_A["id"], card["message_id"], "triage:melding:1")
    second = await bot.pg.press(WIL, GROUP_A["id"], card["message_id"], "triage:melding:1")
    await bot.settle(second["update_id"])
    answers = [await bot.pg.callback_answer(x["callback_query"]["id"]) for x in (first, second)]
    assert not answers[0].get("show_alert") and answers[1]["show_alert"]
    assert "afgehandeld als melding" in answers[1]["text"] or "melding" in answers[1]["text"]
    with bot.db.read() as session:
        assert [c.action for c in session.exec(select(StatusChange).order_by(StatusChange.id))] == ["submit", "melding"]


async def test_queue_pages_and_request_history(wijkraden: Harness) -> None:
    bot = wijkraden
    for n in range(7):
        await file(bot, person(930 + n), f"Verzoek nummer {n}: graag een extra prullenbak bij het speelveld {n}.")
    replies = await bot.say(WIM, "/wachtrij", chat=GROUP_A)
    assert "pagina 1/2" in texts(replies) and "W-0001" in texts(replies) and "W-0006" not in texts(replies)
    replies = await bot.press(WIM, last_with_buttons(replies), "Volgende", chat_id=GROUP_A["id"])
    page = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if "pagina 2/2" in (m["text"] or "")]
    assert page and "W-0007" in page[0]["text"]
    replies = await bot.say(WIM, "/verzoek W-0003", chat=GROUP_A)
    assert "Geschiedenis" in texts(replies) and "ingediend" in texts(replies)
    replies = await bot.say(STAN, "/wachtrij", chat=GROUP_A)
    assert "alleen voor leden" in texts(replies)


async def test_supporting_instead_of_filing_and_from_wijk(wijkraden: Harness) -> None:
    bot = wijkraden
    await file(bot, person(940), "De schommel in de speeltuin aan de Leidsevaart is kapot, graag repareren.")
    with bot.db.transaction_sync() as session:  # routed: residents may now see and support it
        transition(session, request=session.get(Request, 1), action="route", actor=Actor(Role.WIJKRAAD, None, "w"))
    kees = person(941)
    await bot.say(kees, "/nieuw")
    replies = await bot.say(kees, "Leidsebuurt")
    replies = await bot.press(kees, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(kees, last_with_buttons(replies), "intake:theme:spelen")
    replies = await bot.say(kees, "Kapotte schommel in de speeltuin aan de Leidsevaart, wanneer wordt die gemaakt?")
    replies = await bot.press(kees, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(kees, "Overslaan")
    offer = [m for m in replies if "lijken" in (m["text"] or "")]
    assert offer and "W-0001" in offer[0]["text"]
    replies = await bot.press(kees, offer[0], "intake:support:1")
    assert "niet ingediend" in texts(replies)
    # From /wijk, a second support by the same person counts once.
    listing = await bot.say(kees, "/wijk")
    answer = await bot.press_data(kees, kees["id"], last_with_buttons(listing)["message_id"], "support:1")
    assert "al" in answer["text"]
    with bot.db.read() as session:
        assert len(session.exec(select(Support).where(Support.request_id == 1)).all()) == 1
        assert len(session.exec(select(Request)).all()) == 1


async def test_redaction_before_routing_keeps_only_that_it_happened(wijkraden: Harness) -> None:
    bot = wijkraden
    anna = person(970)
    old = "Mijn buurman Jan de Vries op nummer 12 zet altijd zijn afval naast de container."
    await bot.say(anna, "/nieuw")
    replies = await bot.say(anna, "Leidsebuurt")
    replies = await bot.press(anna, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(anna, last_with_buttons(replies), "intake:theme:schoon")
    replies = await bot.say(anna, old)
    replies = await bot.send(anna, "photo", data=b"\x89PNG gezicht van de buurman")
    replies = await bot.press(anna, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(anna, "Overslaan")
    await bot.press(anna, last_with_buttons(replies), "intake:confirm")
    group = await bot.new_messages(GROUP_A["id"])
    photo_message = [m for m in group if m.get("photo")][0]
    card = last_with_buttons(group)
    await bot.press(WIM, card, "triage:remove_photos:1", chat_id=GROUP_A["id"])
    replies = await bot.press(WIM, card, "triage:redact:1", chat_id=GROUP_A["id"])
    await bot.say(WIM, "Afval wordt vaak naast de container gezet bij de Leidsestraat.", chat=GROUP_A,
                  reply_to=replies[-1]["message_id"])
    with bot.db.read() as session:
        request = session.get(Request, 1)
        assert request.photo_file_ids == [] and "Jan de Vries" not in request.text
        assert [c.note for c in session.exec(select(StatusChange).where(StatusChange.action == "redact"))] == [
            "photos", "text"]
    everything = [str(m) for m in await bot.pg.messages(GROUP_A["id"])]
    card_now = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    assert "Jan de Vries" not in card_now["text"]
    assert [m for m in await bot.pg.messages(GROUP_A["id"]) if m["message_id"] == photo_message["message_id"]
            and not m.get("deleted")] == []
    with bot.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                assert "Jan de Vries" not in str(row), table.name
    assert everything


async def test_a_revoked_member_can_no_longer_press(wijkraden: Harness) -> None:
    from storage.roles import revoke

    bot = wijkraden
    card = await file(bot, person(971), "Er wordt veel te hard gereden in de Leidsestraat, vooral 's avonds.")
    with bot.db.transaction_sync() as session:
        wil = session.exec(select(Person).where(Person.telegram_id == WIL["id"])).one()
        for membership in session.exec(select(Membership).where(Membership.person_id == wil.id)):
            revoke(session, membership=membership, by="test")
    answer = await bot.press_data(WIL, GROUP_A["id"], card["message_id"], "triage:melding:1")
    assert answer["show_alert"]
    assert status_of(bot, "W-0001") == "submitted"

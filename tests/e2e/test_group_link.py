"""Linking groups (/koppel): only a coordinator, or a member who administers the Telegram group; an
existing link changes only after a confirm, and the coordinators hear of it."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from storage.models import Area, AuditEntry, GroupChat, MembershipRole, Organisation
from storage.people import get_or_create_person
from storage.roles import grant
from tests.harness import Harness, button_data, last_with_buttons, person, texts

VIJFHOEK, LEIDSEBUURT, CENTRUM = "centrum-vijfhoek", "zuid-west-leidsebuurt", "haarlem-centrum"
OPENBARE_RUIMTE = "haarlem-openbare-ruimte"
VIJFHOEK_GROUP = {"id": -3101, "type": "supergroup", "title": "Wijkraad Vijfhoek"}
NEW_GROUP = {"id": -3102, "type": "supergroup", "title": "Nieuwe groep Vijfhoek"}
VERA, WIM, PIM = person(3201, name="Vera"), person(3202, name="Wim"), person(3203, name="Pim")
CORA, STAN, OWEN = person(3204, "en", name="Cora"), person(3205, name="Stan"), person(3206, name="Owen")


def make(bot: Harness, user: dict[str, Any], role: MembershipRole, code: str) -> None:
    """Give a role (as an invitation would): a wijk or district by area code, or an organisation."""
    with bot.db.transaction_sync() as session:
        member = get_or_create_person(session, telegram_id=user["id"], language=user["language_code"])
        if role == MembershipRole.PARTNER:
            organisation = session.exec(select(Organisation).where(Organisation.code == code)).one()
            grant(session, person=member, role=role, organisation_id=organisation.id, display_name=user["first_name"])
        else:
            area = session.exec(select(Area).where(Area.code == code)).one()
            grant(session, person=member, role=role, area_id=area.id, display_name=user["first_name"])


def links(bot: Harness) -> dict[str, Any]:
    """Every group link, from both sides."""
    with bot.db.read() as session:
        areas = {a.id: a.code for a in session.exec(select(Area))}
        organisations = {o.id: o.code for o in session.exec(select(Organisation))}
        return {
            "groups": sorted((g.chat_id, areas.get(g.area_id), organisations.get(g.organisation_id))
                             for g in session.exec(select(GroupChat))),
            "organisation_groups": sorted((o.code, o.group_chat_id) for o in session.exec(select(Organisation))
                                          if o.group_chat_id is not None),
        }


def audit(bot: Harness, action: str) -> list[AuditEntry]:
    """Audit rows of this action."""
    with bot.db.read() as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


async def linked_vijfhoek(bot: Harness) -> dict[str, Any]:
    """Vera (wijkraad Vijfhoek) creates the Vijfhoek group, so she administers it, and links it."""
    make(bot, VERA, MembershipRole.WIJKRAAD, VIJFHOEK)
    replies = await bot.say(VERA, "/koppel", chat=VIJFHOEK_GROUP)
    assert "wijkraadgroep van Vijfhoek" in texts(replies)
    assert links(bot)["groups"] == [(VIJFHOEK_GROUP["id"], VIJFHOEK, None)]
    return links(bot)


async def test_a_partner_member_cannot_move_a_linked_wijkraad_group(bot: Harness) -> None:
    before = await linked_vijfhoek(bot)
    make(bot, PIM, MembershipRole.PARTNER, OPENBARE_RUIMTE)
    replies = await bot.say(PIM, "/koppel", chat=VIJFHOEK_GROUP)
    assert "beheerder van deze Telegram-groep" in texts(replies)
    assert links(bot) == before
    assert len(audit(bot, "group.link")) == 1 and not audit(bot, "group.relink")


async def test_a_wijkraad_member_of_another_wijk_cannot_take_the_group(bot: Harness) -> None:
    before = await linked_vijfhoek(bot)
    make(bot, WIM, MembershipRole.WIJKRAAD, LEIDSEBUURT)
    replies = await bot.say(WIM, "/koppel", chat=VIJFHOEK_GROUP)
    assert "beheerder van deze Telegram-groep" in texts(replies)
    # Nor with the button of a choice, forged.
    with bot.db.read() as session:
        leidsebuurt = session.exec(select(Area).where(Area.code == LEIDSEBUURT)).one().id
    card = replies[-1]
    for data in (f"group_link:wijk:{leidsebuurt}", f"group_link:confirm:wijk:{leidsebuurt}"):
        answer = await bot.press_data(WIM, VIJFHOEK_GROUP["id"], card["message_id"], data)
        assert answer["show_alert"] and "beheerder" in answer["text"]
    assert links(bot) == before
    assert await bot.new_messages(VIJFHOEK_GROUP["id"]) == []


async def test_only_a_member_who_administers_the_group_links_a_fresh_one(bot: Harness) -> None:
    make(bot, VERA, MembershipRole.WIJKRAAD, VIJFHOEK)
    await bot.say(OWEN, "Welkom allemaal", chat=NEW_GROUP)  # Owen made the group: he administers it
    replies = await bot.say(VERA, "/koppel", chat=NEW_GROUP)
    assert "beheerder van deze Telegram-groep" in texts(replies)
    assert links(bot)["groups"] == []

    await bot.pg.set_admin(NEW_GROUP["id"], VERA["id"])
    replies = await bot.say(VERA, "/koppel", chat=NEW_GROUP)
    assert "wijkraadgroep van Vijfhoek" in texts(replies)
    assert links(bot)["groups"] == [(NEW_GROUP["id"], VIJFHOEK, None)]
    [entry] = audit(bot, "group.link")
    assert entry.actor.startswith("person:") and entry.details["chat_id"] == NEW_GROUP["id"]


async def test_a_coordinator_links_without_administering_the_group(bot: Harness) -> None:
    make(bot, CORA, MembershipRole.COORDINATOR, CENTRUM)
    await bot.say(OWEN, "Welkom allemaal", chat=NEW_GROUP)
    choices = await bot.say(CORA, "/koppel", chat=NEW_GROUP)  # Vijfhoek and the partners serving it
    assert "link this group" in texts(choices)  # Cora reads English
    labels = [b["text"] for row in last_with_buttons(choices)["reply_markup"]["inline_keyboard"] for b in row]
    assert any("Vijfhoek" in label for label in labels) and any("openbare ruimte" in label for label in labels)
    replies = await bot.say(CORA, "/koppel vijfhoek", chat=NEW_GROUP)
    assert "Vijfhoek" in texts(replies) and "Beheer openbare ruimte" not in texts(replies)
    assert links(bot)["groups"] == [(NEW_GROUP["id"], VIJFHOEK, None)]


async def test_a_relink_needs_the_confirm_and_tells_the_coordinator(bot: Harness) -> None:
    before = await linked_vijfhoek(bot)
    make(bot, CORA, MembershipRole.COORDINATOR, CENTRUM)
    await bot.say(CORA, "/start")
    await bot.new_messages(CORA["id"])

    # Vera made a second group; linking it would unlink the first: she is asked first.
    replies = await bot.say(VERA, "/koppel", chat=NEW_GROUP)
    question = last_with_buttons(replies)
    assert "Er is al een groep van de wijkraad van Vijfhoek" in question["text"]
    assert links(bot) == before

    # A stranger, and a member of the wijkraad who does not administer the new group, press the confirm.
    make(bot, WIM, MembershipRole.WIJKRAAD, VIJFHOEK)
    confirm = button_data(question, "Ja, koppelen")
    for presser, why in ((STAN, "alleen een coördinator"), (WIM, "beheerder")):
        answer = await bot.press_data(presser, NEW_GROUP["id"], question["message_id"], confirm)
        assert answer["show_alert"] and why in answer["text"], answer
    assert links(bot) == before
    assert await bot.new_messages(CORA["id"]) == []

    replies = await bot.press(VERA, question, "Ja, koppelen", chat_id=NEW_GROUP["id"])
    assert "wijkraadgroep van Vijfhoek" in texts(replies) and "coördinator" in texts(replies)
    assert links(bot)["groups"] == [(NEW_GROUP["id"], VIJFHOEK, None)]
    told = texts(await bot.wait_new(CORA["id"]))
    assert "Vera" in told and "Nieuwe groep Vijfhoek" in told and "Wijkraad Vijfhoek" in told
    assert "linked" in told and "gekoppeld" not in told  # in Cora's language
    assert "niet meer gekoppeld" in texts(await bot.new_messages(VIJFHOEK_GROUP["id"]))
    [entry] = audit(bot, "group.relink")
    assert entry.details["replaced_chat_ids"] == [VIJFHOEK_GROUP["id"]]


async def test_a_partner_who_administers_the_group_moves_it_only_after_the_confirm(bot: Harness) -> None:
    await linked_vijfhoek(bot)
    make(bot, CORA, MembershipRole.COORDINATOR, CENTRUM)
    await bot.say(CORA, "/start")
    await bot.new_messages(CORA["id"])
    make(bot, PIM, MembershipRole.PARTNER, OPENBARE_RUIMTE)
    await bot.pg.set_admin(VIJFHOEK_GROUP["id"], PIM["id"])
    # Administering the group is not enough to take it from the wijkraad it belongs to.
    replies = await bot.say(PIM, "/koppel", chat=VIJFHOEK_GROUP)
    assert "hoort nu bij een andere wijkraad" in texts(replies)
    assert all(not m.get("reply_markup") for m in replies)
    assert links(bot)["groups"] == [(VIJFHOEK_GROUP["id"], VIJFHOEK, None)]
    make(bot, PIM, MembershipRole.WIJKRAAD, VIJFHOEK)  # now one of that wijkraad too

    async def ask_to_move() -> dict[str, Any]:
        """/koppel, then the organisation from the choices: the question before the move."""
        choices = last_with_buttons(await bot.say(PIM, "/koppel", chat=VIJFHOEK_GROUP))
        return last_with_buttons(await bot.press(PIM, choices, "Beheer openbare ruimte", chat_id=VIJFHOEK_GROUP["id"]))

    question = await ask_to_move()
    assert "Deze groep is nu gekoppeld aan de wijkraad van Vijfhoek" in question["text"]
    replies = await bot.press(PIM, question, "Nee", chat_id=VIJFHOEK_GROUP["id"])
    assert links(bot)["groups"] == [(VIJFHOEK_GROUP["id"], VIJFHOEK, None)]

    question = await ask_to_move()
    replies = await bot.press(PIM, question, "Ja, koppelen", chat_id=VIJFHOEK_GROUP["id"])
    assert "Beheer openbare ruimte" in texts(replies)
    assert links(bot) == {"groups": [(VIJFHOEK_GROUP["id"], None, OPENBARE_RUIMTE)],
                          "organisation_groups": [(OPENBARE_RUIMTE, VIJFHOEK_GROUP["id"])]}
    told = texts(await bot.wait_new(CORA["id"]))  # the wijk lost its group: its coordinator hears it
    assert "Pim" in told and "Vijfhoek" in told

    # The wijkraad member alone cannot take it back from the organisation; the coordinator can, and then
    # the organisation no longer points at the group.
    assert "hoort nu bij een andere wijkraad" in texts(await bot.say(VERA, "/koppel", chat=VIJFHOEK_GROUP))
    question = last_with_buttons(await bot.say(CORA, "/koppel Vijfhoek", chat=VIJFHOEK_GROUP))
    await bot.press(CORA, question, "Yes, link", chat_id=VIJFHOEK_GROUP["id"])  # Cora reads English
    assert links(bot) == {"groups": [(VIJFHOEK_GROUP["id"], VIJFHOEK, None)], "organisation_groups": []}

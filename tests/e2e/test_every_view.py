"""Every status, every view, every role, both languages: requests walked through the whole cycle the
way people do it, and at each status every view opened (none may fail or apologise).

Four requests in one wijk: A goes submitted → awaiting_resident → submitted → routed → answered →
reopened → out_of_scope; B becomes a melding (solved_directly); C is merged into A (duplicate); D is
withdrawn. At every step each role opens each of its views, the persona's language alternating
between Dutch and English from step to step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.cli_setup import EXPORTS, ExportScope
from bot.i18n import use_locale
from conversations.notices import refresh_cards
from conversations.texts import status_label
from storage.models import Area, MembershipRole, Person, Request, RequestStatus
from storage.people import get_or_create_person, pseudonym
from storage.roles import grant
from storage.workflow import Actor, Role, transition
from tests.e2e.test_answers import OPENBARE_RUIMTE, PIM, make_partner, route_to
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member, status_of
from tests.harness import Harness, last_with_buttons, person, texts

WIJK = "zuid-west-leidsebuurt"
WENDY = person(1401, "en", "Wendy")  # a second wijkraad member, who reads English
PAUL = person(1402, "en", "Paul")  # a second partner member of the same organisation, in English
CORA, COLIN = person(1403, "nl", "Cora"), person(1404, "en", "Colin")  # coordinators of the wijk
NEIGHBOURS = {"nl": person(1405, "nl", "Nel"), "en": person(1406, "en", "Ned")}  # residents of the wijk
ANNA, BOB, CAROL, DORA = (person(1410, "nl", "Anna"), person(1411, "en", "Bob"), person(1412, "en", "Carol"),
                          person(1413, "nl", "Dora"))
APOLOGIES = ("er ging iets mis", "something went wrong")
TZ = ZoneInfo("Europe/Amsterdam")


def label(status: str, language: str) -> str:
    """The status as people read it in that language."""
    with use_locale(language):
        return status_label(status)


def sane(messages: list[dict[str, Any]], what: str) -> str:
    """The view answered, without an apology; its text."""
    assert messages, f"{what}: no answer at all"
    shown = texts(messages)
    assert not any(a in shown.casefold() for a in APOLOGIES), f"{what}: {shown[:300]}"
    return shown


@dataclass
class Walk:
    """The bot, the requests by letter, and what was seen."""

    bot: Harness
    requests: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # letter -> (reference, resident)
    visited: set[str] = field(default_factory=set)
    step: int = 0
    languages: set[tuple[str, str]] = field(default_factory=set)  # (view, language)
    cards: dict[str, int] = field(default_factory=dict)  # letter -> the message id of its card in the group

    def language(self) -> str:
        """This step's language for the personas that have two."""
        return ("nl", "en")[self.step % 2]

    async def views(self, letter: str, expected: str, *, reopened: bool = False) -> None:
        """Open every view for every role while request `letter` has status `expected`."""
        bot, lang = self.bot, self.language()
        reference, resident = self.requests[letter]
        assert status_of(bot, reference) == expected
        self.visited.add("reopened" if reopened else expected)
        group = GROUP_A["id"]

        # The resident: their requests, their data.
        shown = sane(await bot.say(resident, "/mijnverzoeken"), f"/mijnverzoeken at {expected}")
        assert reference in shown and label(expected, resident["language_code"]) in shown, shown
        assert (await bot.say(resident, "/mijngegevens"))[-1].get("document"), "/mijngegevens"
        self.languages |= {("resident", resident["language_code"])}

        # A neighbour: the open requests of the wijk.
        neighbour = NEIGHBOURS[lang]
        assert "Leidsebuurt" in sane(await bot.say(neighbour, "/wijk"), f"/wijk at {expected}")

        # The wijkraad in its group: the request with its history, the queue, the figures, the contract.
        member = WIM if lang == "nl" else WENDY
        shown = sane(await bot.say(member, f"/verzoek {reference}", chat=GROUP_A), f"/verzoek at {expected}")
        assert reference in shown and label(expected, lang) in shown, shown
        shown = sane(await bot.say(member, "/wachtrij", chat=GROUP_A), f"/wachtrij at {expected}")
        waiting = expected in (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT)
        assert (reference in shown) == waiting, shown
        sane(await bot.say(member, "/stand", chat=GROUP_A), f"/stand (group) at {expected}")
        sane(await bot.say(member, "/contract", chat=GROUP_A), f"/contract (group) at {expected}")
        # The card in the group is brought up to date with every change, in the group's language.
        card = current(await bot.pg.bot_messages(group), self.cards[letter])
        assert label(expected, "nl") in card["text"], card["text"]
        await bot.new_messages(group)

        # The partner: inbox, afspraken, figures, contract.
        partner = PIM if lang == "nl" else PAUL
        for command in ("/inbox", "/afspraken", "/stand", "/contract"):
            sane(await bot.say(partner, command), f"{command} (partner) at {expected}")

        # The coordinator: figures and contract.
        coordinator = CORA if lang == "nl" else COLIN
        for command in ("/stand", "/contract"):
            sane(await bot.say(coordinator, command), f"{command} (coordinator) at {expected}")
        self.languages |= {(role, lang) for role in ("wijkraad", "partner", "coordinator", "neighbour")}

        # The export (wijkbot export), as the CLI writes it.
        with bot.db.read() as session:
            scope = ExportScope(wijk=None, start=None, end=None, tz=TZ)
            rows = {export.name: list(export.rows(session, scope)) for export in EXPORTS}
        assert [r for r in rows["requests"] if r[0] == reference][0][6] == expected
        self.step += 1


@pytest.fixture
async def walk(bot: Harness) -> Walk:
    """The wijkraad group with two members, two partner members, two coordinators, two neighbours."""
    with bot.db.transaction_sync() as session:  # the members' own languages (make_member would make them Dutch)
        for user in (WENDY, PAUL):
            get_or_create_person(session, telegram_id=user["id"], language=user["language_code"])
    make_member(bot, WIM, WIJK)
    make_member(bot, WENDY, WIJK)
    await bot.say(WIM, "/koppel", chat=GROUP_A)
    for member in (PIM, PAUL):
        make_partner(bot, member, OPENBARE_RUIMTE)
    with bot.db.transaction_sync() as session:
        wijk = session.exec(select(Area).where(Area.code == WIJK)).one()
        for user in (CORA, COLIN):
            coordinator = get_or_create_person(session, telegram_id=user["id"], language=user["language_code"])
            grant(session, person=coordinator, role=MembershipRole.COORDINATOR, area_id=wijk.id,
                  display_name=user["first_name"])
    for user in (PIM, PAUL, CORA, COLIN, WENDY):
        await bot.say(user, "/start")
    for neighbour in NEIGHBOURS.values():  # they live in the wijk: they filed something there once
        await file(bot, neighbour, f"Graag een extra bank bij het speelveld, groet van {neighbour['first_name']}.")
        with bot.db.transaction_sync() as session:
            mine = session.exec(select(Request).join(Person, Person.id == Request.resident_id)
                                .where(Person.telegram_id == neighbour["id"])).one()
            transition(session, request=mine, action="melding", actor=Actor(Role.WIJKRAAD, None, "test", "Wim"))
    await bot.new_messages(GROUP_A["id"])
    return Walk(bot)


async def filed(walk: Walk, letter: str, resident: dict[str, Any], text: str) -> dict[str, Any]:
    """A resident files a request; returns its card in the group."""
    card = await file(walk.bot, resident, text)
    reference = card["text"].split(" ")[0]
    walk.requests[letter] = (reference, resident)
    walk.cards[letter] = card["message_id"]
    await walk.bot.new_messages(resident["id"])
    return card


def current(messages: list[dict[str, Any]], message_id: int) -> dict[str, Any]:
    """The message as it is now (cards are edited in place)."""
    return [m for m in messages if m["message_id"] == message_id][0]


async def test_every_status_every_view(walk: Walk, caplog: pytest.LogCaptureFixture) -> None:
    bot, group = walk.bot, GROUP_A["id"]
    caplog.set_level(logging.ERROR)

    # A: submitted.
    card_a = await filed(walk, "A", ANNA, "De schommel in de speeltuin aan de Leidsevaart is al weken kapot.")
    ref_a = walk.requests["A"][0]
    await walk.views("A", "submitted")

    # A: the wijkraad asks the resident something (awaiting_resident), the resident answers (submitted).
    prompt = (await bot.press(WIM, card_a, f"triage:ask:{int(ref_a[2:])}", chat_id=group))[-1]
    await bot.say(WIM, "Bij welke ingang van de speeltuin staat de schommel?", chat=GROUP_A,
                  reply_to=prompt["message_id"])
    question = (await bot.new_messages(ANNA["id"]))[-1]
    await walk.views("A", "awaiting_resident")
    await bot.say(ANNA, "Bij de ingang aan de Leidsevaart.", reply_to=question["message_id"])
    await walk.views("A", "submitted")

    # C: another resident files the same wish; the wijkraad merges it into A (duplicate).
    card_c = await filed(walk, "C", CAROL, "Please repair the broken swing near the Leidsevaart entrance, kids miss it.")
    id_c = int(walk.requests["C"][0][2:])
    await bot.press(WENDY, card_c, f"triage:duplicate:{id_c}", chat_id=group)
    card_c = current(await bot.pg.bot_messages(group), card_c["message_id"])
    prompt = (await bot.press(WENDY, card_c, f"triage:duplicate_number:{id_c}", chat_id=group))[-1]
    await bot.say(WENDY, ref_a, chat=GROUP_A, reply_to=prompt["message_id"])
    await walk.views("C", "duplicate")

    # A: routed to a partner, who answers "cannot" (answered).
    await route_to(bot, current(await bot.pg.bot_messages(group), card_a["message_id"]), ["Beheer openbare ruimte"])
    inbox = last_with_buttons(await bot.new_messages(PIM["id"]))
    await walk.views("A", "routed")
    replies = await bot.press(PIM, inbox, "Beantwoorden")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:category:not_possible")
    replies = await bot.press(PIM, last_with_buttons(replies), "answer:reason:financial")
    replies = await bot.say(PIM, "Er is dit jaar geen budget meer voor nieuwe speeltoestellen.")
    replies = await bot.say(PIM, "Het spijt ons, de schommel kan dit jaar niet vervangen worden.")
    await bot.press(PIM, last_with_buttons(replies), "answer:send")
    answer_message = last_with_buttons(await bot.new_messages(ANNA["id"]))
    await walk.views("A", "answered")

    # A: the resident is not satisfied: back with the wijkraad (reopened), which puts it out of scope.
    await bot.press(ANNA, answer_message, "Niet tevreden")
    await bot.say(ANNA, "De kinderen spelen er elke dag, het is echt nodig.")
    reopened_card = last_with_buttons(await bot.new_messages(group))
    assert reopened_card["text"].startswith(ref_a)
    walk.cards["A"] = reopened_card["message_id"]
    await walk.views("A", "submitted", reopened=True)
    prompt = (await bot.press(WIM, reopened_card, "Buiten wijkcontract", chat_id=group))[-1]
    await bot.say(WIM, "Vervanging van speeltoestellen valt onder het beheerplan, niet onder het wijkcontract.",
                  chat=GROUP_A, reply_to=prompt["message_id"])
    await walk.views("A", "out_of_scope")

    # B: a simple report (solved_directly).
    card_b = await filed(walk, "B", BOB, "There is a broken bicycle lying on the pavement next to number 12.")
    await bot.press(WENDY, card_b, "Melding", chat_id=group)
    await walk.views("B", "solved_directly")

    # D: withdrawn by its resident. There is no chat command for it yet: the domain's transition and the
    # card refresh, as a resident's withdrawal would make them.
    await filed(walk, "D", DORA, "Graag een hondenpoepbak bij het grasveld aan de Leidsevaart.")
    with bot.db.transaction_sync() as session:
        request = session.exec(select(Request).where(Request.reference == walk.requests["D"][0])).one()
        dora = session.get(Person, request.resident_id)
        transition(session, request=request, action="withdraw", actor=Actor(Role.RESIDENT, dora.id, pseudonym(dora)))
        refresh_cards(session, request=request, tz=TZ)  # as every change of a request does
    await walk.views("D", "withdrawn")

    assert walk.visited == set(RequestStatus) | {"reopened"}
    roles = ("resident", "neighbour", "wijkraad", "partner", "coordinator")
    assert walk.languages == {(role, language) for role in roles for language in ("nl", "en")}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

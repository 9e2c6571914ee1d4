"""Privacy hardening (issue 13): odd privacy presses, redaction that reaches every copy, secrets never stored
in clear, erasure of members' names, and a daily limit that erasure cannot reset."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from pypdf import PdfReader
from sqlmodel import SQLModel, select

from bot.playground import PlaygroundClient
from bot.settings import PLAYGROUND_TOKEN
from storage.models import Area, Membership, MembershipRole, Person, StatusChange
from storage.people import get_or_create_person
from storage.roles import grant
from tests.conftest import running_bot
from tests.e2e.test_answers import OPENBARE_RUIMTE, PIM, card_request, make_partner, route_to
from tests.e2e.test_privacy import download, scan_for
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member
from tests.harness import Harness, last_with_buttons, person, texts

ANNA_ID = 987650001


async def test_an_erase_press_without_a_message_still_erases_and_says_goodbye_in_private(bot: Harness) -> None:
    anna = person(ANNA_ID, "en", "Anna")
    await bot.say(anna, "/start")
    # A press on an inline message (or one too old to carry its message): no chat in the update.
    sent = await bot.pg.raw({"callback_query": {"id": "odd-1", "from": {**anna, "is_bot": False},
                                                "chat_instance": "odd", "inline_message_id": "inline-1",
                                                "data": "privacy:erase"}})
    await bot.settle(sent["update_id"])
    goodbye = texts(await bot.new_messages(ANNA_ID))
    assert "has been erased" in goodbye
    assert "went wrong" not in goodbye
    with bot.db.read() as session:
        assert session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).first() is None


async def test_a_keep_press_without_a_message_is_answered_kindly(bot: Harness) -> None:
    anna = person(ANNA_ID, "nl", "Anna")
    await bot.say(anna, "/start")
    sent = await bot.pg.raw({"callback_query": {"id": "odd-2", "from": {**anna, "is_bot": False},
                                                "chat_instance": "odd", "inline_message_id": "inline-2",
                                                "data": "privacy:keep"}})
    await bot.settle(sent["update_id"])
    assert "niets gewist" in texts(await bot.new_messages(ANNA_ID))
    with bot.db.read() as session:
        assert session.exec(select(Person).where(Person.telegram_id == ANNA_ID)).first() is not None


# ── redaction reaches every copy ─────────────────────────────────────────────────────────

PHONE = "06-12345678"


def scan_text(bot: Harness, needle: str) -> list[str]:
    """Every table and column where the text still appears (in text, JSON or bytes)."""
    found = []
    with bot.db.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                for column, cell in row.items():
                    shown = cell.decode("latin-1") if isinstance(cell, bytes) else json.dumps(
                        cell, default=str, ensure_ascii=False)
                    if cell is not None and needle in shown:
                        found.append(f"{table.name}.{column}")
    return found


async def contract_pdf_text(bot: Harness, message: dict[str, Any]) -> str:
    """The text of the PDF in a message."""
    data = await download(bot, message["document"]["file_id"])
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def documents(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if "document" in m]


async def test_redaction_reaches_outbox_rows_to_anyone_and_every_contract_copy(bot: Harness) -> None:
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    await bot.say(WIM, "/koppel", chat=GROUP_A)
    make_partner(bot, PIM, OPENBARE_RUIMTE)
    await bot.say(PIM, "/start")
    anna = person(ANNA_ID, "nl", "Anna")
    card = await file(bot, anna, f"Bel mij op {PHONE} over het kapotte hek bij de speeltuin aan de Leidsevaart.")
    await route_to(bot, card, ["Beheer openbare ruimte"])
    # The partner looks at the wijk's contract (the routed request is listed, pending) and asks for its web page.
    pdf_message = documents(await bot.say(PIM, "/contract Leidsebuurt"))[-1]
    assert PHONE in await contract_pdf_text(bot, pdf_message)
    version_id = next(int(data.split(":")[2]) for row in pdf_message["reply_markup"]["inline_keyboard"]
                      for data in (b["callback_data"] for b in row) if data.startswith("contract:html:"))
    page = documents(await bot.press(PIM, pdf_message, f"contract:html:{version_id}"))[-1]
    assert PHONE in (await download(bot, page["document"]["file_id"])).decode()
    assert scan_text(bot, PHONE)
    # The partner hands it back ("not ours"): it is with the wijkraad again, who may now edit its text.
    inbox = [m for m in await bot.pg.bot_messages(PIM["id"]) if "Niet van ons" in json.dumps(m.get("reply_markup"))]
    await bot.press(PIM, inbox[-1], "Niet van ons")
    assert "Teruggegeven" in texts(await bot.say(PIM, "Een hek op een speelplek is niet van ons, maar van de school."))
    card = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]

    prompt = await bot.press(WIM, card, f"triage:redact:{card_request(card)}", chat_id=GROUP_A["id"])
    await bot.say(WIM, "Het hek bij de speeltuin aan de Leidsevaart is kapot, graag repareren.", chat=GROUP_A,
                  reply_to=prompt[-1]["message_id"])

    assert scan_text(bot, PHONE) == []
    assert scan_text(bot, "12345678") == []
    # The partner fetches the same (old) version again: the document no longer says it.
    page = documents(await bot.press(PIM, pdf_message, f"contract:html:{version_id}"))[-1]
    assert "kapot, graag repareren" in (await download(bot, page["document"]["file_id"])).decode()
    assert PHONE not in (await download(bot, page["document"]["file_id"])).decode()
    await bot.press_data(PIM, PIM["id"], pdf_message["message_id"], f"contract:get:{version_id}")
    again = documents(await bot.new_messages(PIM["id"]))[-1]
    assert PHONE not in await contract_pdf_text(bot, again)
    assert scan_text(bot, PHONE) == []


# ── invitation tokens are never stored in clear ──────────────────────────────────────────

async def test_an_invitation_made_in_chat_works_once_and_its_token_is_stored_nowhere(bot: Harness) -> None:
    cora, wim, stan = person(7301, name="Cora"), person(7302, name="Wim"), person(7303, name="Stan")
    with bot.db.transaction_sync() as session:
        coordinator = get_or_create_person(session, telegram_id=cora["id"], language="nl")
        haarlem = session.exec(select(Area).where(Area.code == "haarlem")).one()
        grant(session, person=coordinator, role=MembershipRole.COORDINATOR, area_id=haarlem.id, display_name="Cora")
    menu = await bot.say(cora, "/beheer")
    replies = await bot.press(cora, last_with_buttons(menu), "admin:invite")
    replies = await bot.press(cora, last_with_buttons(replies), "admin:invite_role:wijkraad")
    replies = await bot.press(cora, last_with_buttons(replies), "Leidsebuurt")
    link = re.search(r"start=(inv_[A-Za-z0-9_-]+)", texts(replies))
    assert link, texts(replies)
    token = link.group(1).removeprefix("inv_")
    assert len(token) >= 40
    assert scan_text(bot, token) == []

    replies = await bot.say(wim, f"/start {link.group(1)}")
    assert "Leidsebuurt" in texts(replies)
    replies = await bot.say(stan, f"/start {link.group(1)}")
    assert "al gebruikt" in texts(replies)
    with bot.db.read() as session:
        members = session.exec(select(Membership).where(Membership.role == MembershipRole.WIJKRAAD)).all()
        assert [session.get(Person, m.person_id).telegram_id for m in members] == [wim["id"]]
    assert scan_text(bot, token) == []


# ── erasure removes a member's name everywhere; /mijngegevens is complete ────────────────

WILHELMINA = person(7401, name="Wilhelmina Zonneveld")


async def route_as(bot: Harness, member: dict[str, Any], card: dict[str, Any]) -> None:
    """A wijkraad member routes the card to the openbare ruimte."""
    rid = card_request(card)
    await bot.press(member, card, f"triage:route:{rid}", chat_id=GROUP_A["id"])
    current = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    await bot.press(member, current, "Openbare ruimte", chat_id=GROUP_A["id"])
    current = [m for m in await bot.pg.bot_messages(GROUP_A["id"]) if m["message_id"] == card["message_id"]][0]
    await bot.press(member, current, f"triage:route_send:{rid}", chat_id=GROUP_A["id"])


async def test_forget_me_removes_a_members_name_from_every_row_and_message(bot: Harness) -> None:
    from datetime import timedelta

    from storage.models import utcnow
    from storage.votes import start_vote

    make_member(bot, WILHELMINA, "zuid-west-leidsebuurt")
    await bot.say(WILHELMINA, "/koppel", chat=GROUP_A)
    for n, text in enumerate(("Graag een extra prullenbak bij het speeltuintje aan de Leidsevaart.",
                              "Graag meer bankjes langs het water van de Leidsevaart, voor ouderen.")):
        card = await file(bot, person(7402 + n), text)
        await route_as(bot, WILHELMINA, card)
    with bot.db.transaction_sync() as session:
        member = session.exec(select(Person).where(Person.telegram_id == WILHELMINA["id"])).one()
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        now = utcnow()
        start_vote(session, wijk_id=wijk.id, request_ids=[1, 2], max_choices=1, closes_at=now + timedelta(days=7),
                   now=now, actor=f"person:{member.id}", started_by=WILHELMINA["first_name"])
    named = scan_text(bot, "Zonneveld")
    assert "statuschange.actor_name" in named and "priorityvote.started_by" in named, named

    replies = await bot.say(WILHELMINA, "/mijngegevens")
    data = json.loads(await download(bot, replies[-1]["document"]["file_id"]))
    assert {row["table"] for row in data["where_your_name_is_stored"]} >= {"statuschange", "priorityvote"}
    assert "request.route" in [a["action"] for a in data["your_actions_in_the_audit_log"]]

    replies = await bot.say(WILHELMINA, "/vergeetmij")
    await bot.press(WILHELMINA, last_with_buttons(replies), "privacy:erase")
    assert scan_text(bot, "Zonneveld") == []
    assert scan_text(bot, "Wilhelmina") == []
    # The history still shows what happened, without the name.
    with bot.db.read() as session:
        changes = session.exec(select(StatusChange).where(StatusChange.action == "route")).all()
        assert [(c.actor_name, c.actor_role) for c in changes] == [(None, "wijkraad")] * 2
    # ... and the card's history says a former member did it.
    other = person(7410, name="Karel")
    make_member(bot, other, "zuid-west-leidsebuurt")
    history = texts(await bot.say(other, "/verzoek W-0001", chat=GROUP_A))
    assert "doorgezet naar" in history and "voormalig lid" in history, history


async def test_my_data_holds_my_audit_rows_and_the_messages_stored_for_me(bot: Harness) -> None:
    anna = person(ANNA_ID, "nl", "Anna")
    await file(bot, anna, "Anna wil graag meer fietsenrekken bij het station aan de Leidsevaart.")
    replies = await bot.say(anna, "/mijngegevens")
    data = json.loads(await download(bot, replies[-1]["document"]["file_id"]))
    assert "request.submit" in [a["action"] for a in data["your_actions_in_the_audit_log"]]
    assert any("W-0001" in (m["text"] or "") for m in data["messages_stored_for_you"])
    assert all(m["method"] for m in data["messages_stored_for_you"])


# ── a daily limit that erasure cannot reset ──────────────────────────────────────────────

async def draft_to_summary(bot: Harness, user: dict[str, Any], text: str) -> dict[str, Any]:
    """A resident drafts a wish up to the summary with the confirm button."""
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:groen")
    replies = await bot.say(user, text)
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    return last_with_buttons(replies)


@pytest.fixture
async def strict_bot(playground: PlaygroundClient, database_url: str) -> AsyncIterator[Harness]:
    """The real bot allowing two requests a day (and no flood guard: this test types fast on purpose)."""
    async with running_bot(playground, database_url, max_requests_per_day=2, flood_messages=1000) as harness:
        yield harness


async def test_the_daily_limit_holds_after_forget_me(strict_bot: Harness) -> None:
    from storage.models import DailyRequestCount, Request

    bot, john = strict_bot, person(7501, "en", "John")
    for n in range(2):
        summary = await draft_to_summary(bot, john, f"Request number {n} about more green in the Leidsebuurt.")
        await bot.press(john, summary, "intake:confirm")
    with bot.db.read() as session:
        assert len(session.exec(select(Request)).all()) == 2
    replies = await bot.say(john, "/vergeetmij")
    replies = await bot.press(john, last_with_buttons(replies), "privacy:erase")
    assert "has been erased" in texts(replies)
    assert scan_for(bot, john["id"]) == []  # the daily count does not name the account

    summary = await draft_to_summary(bot, john, "And one more request about the green in the Leidsebuurt.")
    answer = await bot.press_data(john, john["id"], summary["message_id"], "intake:confirm")
    assert answer["show_alert"] and "maximum per day" in answer["text"]
    with bot.db.read() as session:
        assert len(session.exec(select(Request)).all()) == 2
        assert [c.count for c in session.exec(select(DailyRequestCount))] == [2]


async def test_daily_counts_are_pruned_after_a_day(db) -> None:  # type: ignore[no-untyped-def]
    from datetime import date, timedelta

    from storage.daily_counts import count_filed, filed_on, prune_daily_counts
    from storage.keys import use_bot_token

    use_bot_token(PLAYGROUND_TOKEN)
    today = date(2027, 3, 10)
    with db.transaction_sync() as session:
        for day in (today - timedelta(days=2), today - timedelta(days=1), today):
            count_filed(session, telegram_id=42, day=day)
        assert prune_daily_counts(session, today=today) == 1
        assert [filed_on(session, telegram_id=42, day=today - timedelta(days=n)) for n in range(3)] == [1, 1, 0]

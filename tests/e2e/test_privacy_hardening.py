"""Privacy hardening (issue 13): odd privacy presses, redaction that reaches every copy, secrets never stored
in clear, erasure of members' names, and a daily limit that erasure cannot reset."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from pypdf import PdfReader
from sqlmodel import SQLModel, select

from storage.models import Area, Membership, MembershipRole, Person
from storage.people import get_or_create_person
from storage.roles import grant
from tests.e2e.test_answers import OPENBARE_RUIMTE, PIM, card_request, make_partner
from tests.e2e.test_privacy import download
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
    # The partner looks at the wijk's contract (the request is listed, still pending) and asks for its web page.
    pdf_message = documents(await bot.say(PIM, "/contract Leidsebuurt"))[-1]
    assert PHONE in await contract_pdf_text(bot, pdf_message)
    version_id = next(int(data.split(":")[2]) for row in pdf_message["reply_markup"]["inline_keyboard"]
                      for data in (b["callback_data"] for b in row) if data.startswith("ctr:html:"))
    page = documents(await bot.press(PIM, pdf_message, f"ctr:html:{version_id}"))[-1]
    assert PHONE in (await download(bot, page["document"]["file_id"])).decode()
    assert scan_text(bot, PHONE)

    prompt = await bot.press(WIM, card, f"tri:redact:{card_request(card)}", chat_id=GROUP_A["id"])
    await bot.say(WIM, "Het hek bij de speeltuin aan de Leidsevaart is kapot, graag repareren.", chat=GROUP_A,
                  reply_to=prompt[-1]["message_id"])

    assert scan_text(bot, PHONE) == []
    assert scan_text(bot, "12345678") == []
    # The partner fetches the same (old) version again: the document no longer says it.
    page = documents(await bot.press(PIM, pdf_message, f"ctr:html:{version_id}"))[-1]
    assert "kapot, graag repareren" in (await download(bot, page["document"]["file_id"])).decode()
    assert PHONE not in (await download(bot, page["document"]["file_id"])).decode()
    await bot.press_data(PIM, PIM["id"], pdf_message["message_id"], f"ctr:get:{version_id}")
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
    replies = await bot.press(cora, last_with_buttons(menu), "adm:invite")
    replies = await bot.press(cora, last_with_buttons(replies), "adm:inv:wijkraad")
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

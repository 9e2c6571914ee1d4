"""/contract through the playground: the PDF, offering it for signing, signing per party, a change in between."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlmodel import select

from storage.contracts import WIJKRAAD, organisation_party
from storage.models import Afspraak, ContractSignature, ContractStatus, ContractVersion
from tests.e2e.test_privacy import download
from tests.harness import Harness, last_with_buttons, person, texts
from tests.unit.test_contract import World, at_day, build_world, flat

TZ = ZoneInfo("Europe/Amsterdam")
RESIDENT, WIM, BEA, PIM, POL, YARA, CORA, STAN = (person(n, name=name) for n, name in zip(
    range(7001, 7009), ("Rita", "Wim", "Bea", "Pim", "Pol", "Yara", "Cora", "Stan"), strict=True))
GROUP = {"id": -7100, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}
OTHER_GROUP = {"id": -7200, "type": "supergroup", "title": "Wijkraad Boerhaavewijk"}
OPENBARE_RUIMTE = "Gemeente Haarlem, Beheer openbare ruimte"


@pytest.fixture
async def contracts(bot: Harness) -> tuple[Harness, World]:
    """Leidsebuurt's data of this period (and of the one before, and of another wijk), and everyone in chat."""
    today = datetime.now(TZ).date()
    with bot.db.transaction_sync() as session:
        world = build_world(session, today=today)
    for user in (WIM, BEA, PIM, POL, YARA, CORA, STAN, RESIDENT):
        await bot.say(user, "/start")
    await bot.say(WIM, "/wachtrij", chat=GROUP)  # the group exists (it was linked in build_world)
    await bot.say(BEA, "/koppel", chat=OTHER_GROUP)
    return bot, world


def document(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The last document among the bot's messages."""
    found = [m for m in messages if "document" in m]
    assert found, [m.get("text") for m in messages]
    return found[-1]


async def pdf_of(bot: Harness, message: dict[str, Any]) -> str:
    """The text of the PDF in a message."""
    assert message["document"]["file_name"].endswith(".pdf")
    data = await download(bot, message["document"]["file_id"])
    return flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def buttons(message: dict[str, Any]) -> list[str]:
    """The callback data under a message."""
    return [b["callback_data"] for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


async def current_message(bot: Harness, chat_id: int, message_id: int) -> dict[str, Any]:
    """A message as it is now (after edits)."""
    return [m for m in await bot.pg.bot_messages(chat_id) if m["message_id"] == message_id][0]


def versions(bot: Harness) -> list[ContractVersion]:
    with bot.db.read() as session:
        return list(session.exec(select(ContractVersion).order_by(ContractVersion.number)).all())


def signed_parties(bot: Harness, version_id: int) -> set[str]:
    with bot.db.read() as session:
        return {s.party for s in session.exec(select(ContractSignature).where(ContractSignature.version_id == version_id))}


async def test_from_concept_through_a_change_to_signed(contracts: tuple[Harness, World]) -> None:
    bot, w = contracts
    openbare, politie = organisation_party(w.openbare_ruimte), organisation_party(w.politie)

    # The coordinator asks for the contract: the concept, as a PDF, with the button to offer it for signing.
    concept = document(await bot.say(CORA, "/contract Leidsebuurt"))
    assert "Wijkcontract Leidsebuurt" in concept["caption"] and "concept" in concept["caption"]
    text = await pdf_of(bot, concept)
    assert "De schommel in de speeltuin aan de Leidsevaart is kapot." in text and "Boerhaavelaan" not in text
    assert "bankje bij de kerk" not in text
    [v1] = versions(bot)
    assert f"contract:start_signing:{v1.id}" in buttons(concept)
    assert not any(data.startswith("contract:sign") for data in buttons(concept))

    # Only a coordinator may offer it.
    answer = await bot.press_data(WIM, CORA["id"], concept["message_id"], f"contract:start_signing:{v1.id}")
    assert answer["show_alert"]
    assert versions(bot)[0].status == ContractStatus.CONCEPT

    replies = await bot.press(CORA, concept, "Ter ondertekening aanbieden")
    assert "ter ondertekening" in document(replies)["caption"]
    assert versions(bot)[0].status == ContractStatus.SIGNING
    # Every party got it, with its own button.
    pim_doc = document(await bot.new_messages(PIM["id"]))
    pol_doc = document(await bot.new_messages(POL["id"]))
    group_doc = document(await bot.new_messages(GROUP["id"]))
    assert buttons(pim_doc)[0] == f"contract:sign_for:{v1.id}:{w.openbare_ruimte}"
    assert buttons(pol_doc)[0] == f"contract:sign_for:{v1.id}:{w.politie}"
    assert buttons(group_doc)[0] == f"contract:sign:{v1.id}:wijkraad"
    assert f"Ondertekenen namens {OPENBARE_RUIMTE}" in pim_doc["reply_markup"]["inline_keyboard"][0][0]["text"]
    assert await bot.new_messages(YARA["id"]) == []  # Ymere is no party

    # A stranger, another wijk's wijkraad and another partner cannot sign.
    for intruder, data in ((STAN, f"contract:sign:{v1.id}:wijkraad"), (BEA, f"contract:sign:{v1.id}:wijkraad"),
                           (POL, f"contract:sign_for:{v1.id}:{w.openbare_ruimte}"), (YARA, f"contract:sign_for:{v1.id}:{w.ymere}"),
                           (PIM, f"contract:sign:{v1.id}:coordinator")):
        answer = await bot.press_data(intruder, GROUP["id"], group_doc["message_id"], data)
        assert answer["show_alert"], (intruder, data)
    assert signed_parties(bot, v1.id) == set()

    # Pim signs for his organisation, Wim for the wijkraad in its group.
    replies = await bot.press(PIM, pim_doc, "Ondertekenen namens")
    assert "Pim heeft getekend namens" in texts(replies) and "Nog te tekenen" in texts(replies)
    assert buttons(await current_message(bot, PIM["id"], pim_doc["message_id"])) == [f"contract:html:{v1.id}"]
    await bot.press(WIM, group_doc, f"contract:sign:{v1.id}:wijkraad", chat_id=GROUP["id"])
    assert signed_parties(bot, v1.id) == {openbare, WIJKRAAD}
    answer = await bot.press_data(WIM, GROUP["id"], group_doc["message_id"], f"contract:sign:{v1.id}:wijkraad")
    assert answer["show_alert"] and "al getekend" in answer["text"]

    # A new afspraak in the period: Pol's press on the old document signs nothing and brings version 2.
    with bot.db.transaction_sync() as session:
        session.add(Afspraak(wijk_id=w.wijk, owner_kind="partner", organisation_id=w.politie,
                             what="Extra surveillance rond de speeltuin in de zomer",
                             deadline=datetime.now(TZ).date() + timedelta(days=30),
                             created_at=at_day(datetime.now(TZ).date())))
    await bot.new_messages(POL["id"])
    answer = await bot.press_data(POL, POL["id"], pol_doc["message_id"], f"contract:sign_for:{v1.id}:{w.politie}")
    assert answer["show_alert"] and "gewijzigd" in answer["text"]
    v2_for_pol = document(await bot.new_messages(POL["id"]))
    assert "Versie 2" in v2_for_pol["caption"] and "Extra surveillance" in await pdf_of(bot, v2_for_pol)
    old, v2 = versions(bot)
    assert (old.id, old.superseded_at is not None, v2.number, v2.status) == (v1.id, True, 2, ContractStatus.CONCEPT)
    assert signed_parties(bot, v1.id) == {openbare, WIJKRAAD} and signed_parties(bot, v2.id) == set()

    # The coordinator offers version 2; this time every party signs it.
    concept = document(await bot.say(CORA, "/contract Leidsebuurt"))
    assert f"contract:start_signing:{v2.id}" in buttons(concept)
    await bot.press(CORA, concept, f"contract:start_signing:{v2.id}")
    cora_doc = document(await bot.pg.bot_messages(CORA["id"]))
    pol_doc = document(await bot.new_messages(POL["id"]))
    await bot.press(POL, pol_doc, f"contract:sign_for:{v2.id}:{w.politie}")
    assert signed_parties(bot, v2.id) == {politie} and signed_parties(bot, v1.id) == {openbare, WIJKRAAD}
    pim_doc = document(await bot.new_messages(PIM["id"]))
    await bot.press(PIM, pim_doc, f"contract:sign_for:{v2.id}:{w.openbare_ruimte}")
    group_doc = document(await bot.new_messages(GROUP["id"]))
    await bot.press(WIM, group_doc, f"contract:sign:{v2.id}:wijkraad", chat_id=GROUP["id"])
    assert versions(bot)[1].status == ContractStatus.SIGNING
    replies = await bot.press(CORA, cora_doc, f"contract:sign:{v2.id}:coordinator")
    final = document(replies)
    assert "getekend door alle partijen" in final["caption"]
    assert versions(bot)[1].status == ContractStatus.SIGNED
    text = await pdf_of(bot, final)
    assert all(name in text for name in ("Pim", "Pol", "Wim", "Cora")) and "nog niet getekend" not in text
    assert "getekend door alle partijen" in texts(await bot.new_messages(GROUP["id"]))

    # The earlier version stays as it was.
    listing = await bot.say(WIM, "/contract vorige", chat=GROUP)
    assert "versie 1" in texts(listing) and "versie 2" in texts(listing)
    replies = await bot.press(WIM, last_with_buttons(listing), f"contract:get:{v1.id}", chat_id=GROUP["id"])
    earlier = document(replies)
    assert "Vervangen" in earlier["caption"] and not any(d.startswith("contract:sign") for d in buttons(earlier))
    text = await pdf_of(bot, earlier)
    assert "versie 1" in text and "Extra surveillance" not in text and "Pim" in text


async def test_who_may_see_which_contract(contracts: tuple[Harness, World]) -> None:
    bot, _w = contracts
    assert "is er voor coördinatoren" in texts(await bot.say(RESIDENT, "/contract"))
    assert "is er voor coördinatoren" in texts(await bot.say(STAN, "/contract"))
    # A wijkraad member gets their own wijk's contract directly; a coordinator chooses.
    mine = document(await bot.say(BEA, "/contract"))
    assert "Boerhaavewijk" in mine["caption"]
    text = await pdf_of(bot, mine)
    assert "Boerhaavelaan" in text and "Leidsevaart" not in text
    choice = last_with_buttons(await bot.say(CORA, "/contract"))
    assert "Van welke wijk" in choice["text"]
    assert "Leidsebuurt" in document(await bot.press(CORA, choice, "Leidsebuurt"))["caption"]
    # In a group: only for the wijk it is linked to, and only for its people.
    assert "Boerhaavewijk" in document(await bot.say(BEA, "/contract", chat=OTHER_GROUP))["caption"]
    assert "is er voor de wijkraad" in texts(await bot.say(STAN, "/contract", chat=OTHER_GROUP))
    assert "is er voor de wijkraad" in texts(await bot.say(WIM, "/contract", chat=OTHER_GROUP))
    # Forged buttons for another wijk's versions change nothing and show nothing.
    with bot.db.read() as session:
        version = session.exec(select(ContractVersion)).first()
    answer = await bot.press_data(STAN, STAN["id"], 1, f"contract:get:{version.id}")
    assert answer["show_alert"]
    # The HTML version.
    replies = await bot.press(BEA, mine, "HTML")
    assert document(replies)["document"]["file_name"].endswith(".html")

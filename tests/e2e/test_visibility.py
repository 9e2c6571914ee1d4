"""Requests the wijkraad has not reviewed stay with the wijkraad and the resident: no list, offer,
support button or ballot shows them to anyone else; once routed, residents see and support them."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from storage.models import Person, Request, Support
from tests.e2e.test_answers import route_to
from tests.e2e.test_triage import GROUP_A, WIM, file, make_member, status_of
from tests.harness import Harness, last_with_buttons, person, texts

SECRET = "Jan de Vries 06-12345678"
ANNA, STAN, KEES = person(1600, name="Anna"), person(1601, name="Stan"), person(1602, name="Kees")
SWING = f"De schommel in de speeltuin aan de Leidsevaart is kapot, graag repareren. Bel {SECRET}."
LIKE_SWING = "Kapotte schommel in de speeltuin aan de Leidsevaart, wanneer wordt die gemaakt?"


@pytest.fixture
async def wijkraad(bot: Harness) -> Harness:
    """A linked wijkraad group for Leidsebuurt."""
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))
    return bot


async def all_text(bot: Harness, chat_id: int) -> str:
    """Everything the bot ever sent in the chat, buttons included."""
    return "\n".join(str(m) for m in await bot.pg.bot_messages(chat_id))


async def draft_until_summary(bot: Harness, user: dict[str, Any], text: str) -> list[dict[str, Any]]:
    """A resident drafts a wish up to the summary (where similar requests are offered)."""
    await bot.say(user, "/nieuw")
    replies = await bot.say(user, "Leidsebuurt")
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:spelen")
    replies = await bot.say(user, text)
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    return await bot.say(user, "Overslaan")


def supports_of(bot: Harness, user: dict[str, Any]) -> list[int]:
    """The requests this user supports."""
    with bot.db.read() as session:
        someone = session.exec(select(Person).where(Person.telegram_id == user["id"])).first()
        if someone is None:
            return []
        return [s.request_id for s in session.exec(select(Support).where(Support.person_id == someone.id))]


async def test_an_unreviewed_request_reaches_no_stranger_until_it_is_routed(wijkraad: Harness) -> None:
    bot = wijkraad
    card = await file(bot, ANNA, SWING)
    assert status_of(bot, "W-0001") == "submitted" and SECRET in card["text"]  # the wijkraad sees it

    # /wijk after choosing the wijk in an abandoned /nieuw.
    await bot.say(STAN, "/nieuw")
    await bot.say(STAN, "Leidsebuurt")
    await bot.say(STAN, "/annuleer")
    listing = await bot.say(STAN, "/wijk")
    assert "geen open verzoeken" in texts(listing) and "W-0001" not in texts(listing)

    # The similar-requests offer during someone else's /nieuw.
    summary = await draft_until_summary(bot, KEES, LIKE_SWING)
    assert not [m for m in summary if "lijken" in (m["text"] or "")]
    # A forged support button, from the offer and from /wijk.
    answer = await bot.press_data(KEES, KEES["id"], last_with_buttons(summary)["message_id"], "intake:support:1")
    assert answer["show_alert"]
    answer = await bot.press_data(STAN, STAN["id"], listing[-1]["message_id"], "support:1")
    assert answer["show_alert"] and SECRET not in answer["text"]
    assert supports_of(bot, STAN) == [] and supports_of(bot, KEES) == []
    for user in (STAN, KEES):
        assert SECRET not in await all_text(bot, user["id"]) and "schommel in de speeltuin aan de Leidsevaart is" \
            not in await all_text(bot, user["id"])
    await bot.say(KEES, "/annuleer")

    # Routed: now residents see it, are offered it, and may support it.
    await route_to(bot, card, ["Beheer openbare ruimte"])
    assert status_of(bot, "W-0001") == "routed"
    listing = await bot.say(STAN, "/wijk")
    assert "W-0001" in texts(listing) and "schommel" in texts(listing)
    answer = await bot.press_data(STAN, STAN["id"], last_with_buttons(listing)["message_id"], "support:1")
    assert not answer.get("show_alert") and "Je steunt W-0001" in answer["text"]
    summary = await draft_until_summary(bot, KEES, LIKE_SWING)
    offer = [m for m in summary if "lijken" in (m["text"] or "")]
    assert offer and "W-0001" in offer[0]["text"]
    assert "niet ingediend" in texts(await bot.press(KEES, offer[0], "intake:support:1"))
    assert supports_of(bot, STAN) == [1] and supports_of(bot, KEES) == [1]


async def test_a_ballot_never_holds_an_unreviewed_request(wijkraad: Harness) -> None:
    bot = wijkraad
    cards = [await file(bot, person(1610 + n), text) for n, text in enumerate((
        "Meer fietsenrekken bij het station aan de Leidsevaart, graag.",
        "Een bankje bij de vijver in het park aan de Leidsevaart, graag.",
        SWING))]
    for card in cards[:2]:
        await route_to(bot, card, ["Beheer openbare ruimte"])
    await bot.say(STAN, "/volg Leidsebuurt")
    await bot.new_messages(GROUP_A["id"])

    setup = last_with_buttons(await bot.say(WIM, "/stemming", chat=GROUP_A))
    assert "W-0001" in setup["text"] and "W-0002" in setup["text"] and "W-0003" not in setup["text"]
    # A forged tick of the unreviewed request is refused; the vote opens over the routed two.
    answer = await bot.press_data(WIM, GROUP_A["id"], setup["message_id"], "vote_setup:pick:3")
    assert answer["show_alert"]
    for data in ("vote_setup:pick:1", "vote_setup:pick:2", "vote_setup:next", "vote_setup:choices:1", "vote_setup:days:7", "vote_setup:open"):
        assert not (await bot.press_data(WIM, GROUP_A["id"], setup["message_id"], data)).get("show_alert"), data
    ballot = last_with_buttons(await bot.wait_new(STAN["id"]))
    assert "W-0001" in ballot["text"] and "W-0002" in ballot["text"]
    assert "W-0003" not in str(ballot) and SECRET not in str(ballot)
    answer = await bot.press_data(STAN, STAN["id"], ballot["message_id"], "ballot:pick:1:3")
    assert answer["show_alert"]
    with bot.db.read() as session:
        assert session.get(Request, 3).status == "submitted"

"""A shared location is kept and shown at street level (3 decimals, about 100 m), never to the metre."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation, Request
from tests.e2e.test_triage import GROUP_A, WIM, make_member
from tests.harness import Harness, last_with_buttons, person, texts

ANNA = person(1700, name="Anna")
LAT, LON = 52.3812345, 4.6234567  # a front door


async def test_a_precise_location_is_stored_and_shown_at_street_level(bot: Harness) -> None:
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))
    await bot.say(ANNA, "/nieuw")
    replies = await bot.say(ANNA, "Leidsebuurt")
    replies = await bot.press(ANNA, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(ANNA, last_with_buttons(replies), "intake:theme:verkeer")
    replies = await bot.say(ANNA, "Hier staat een paal midden op het fietspad, daar rijden fietsers tegenaan.")
    await bot.press(ANNA, last_with_buttons(replies), "intake:skip")
    replies = await bot.send(ANNA, "location", lat=LAT, lon=LON)
    assert "Locatie: doorgegeven" in texts(replies)
    with bot.db.read() as session:  # the stored draft holds no more than the request will
        draft = session.exec(select(Conversation).where(Conversation.user_id == ANNA["id"])).one().draft
        assert (draft["latitude"], draft["longitude"]) == (52.381, 4.623)
    await bot.press(ANNA, last_with_buttons(replies), "intake:confirm")
    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert (request.latitude, request.longitude) == (52.381, 4.623)
    card = last_with_buttons(await bot.new_messages(GROUP_A["id"]))
    assert "mlat=52.381&mlon=4.623#map=16/52.381/4.623" in str(card)
    assert "52.3812" not in str(card) and "4.6234" not in str(card)


async def test_a_card_rounds_a_location_stored_before_rounding(bot: Harness) -> None:
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))
    await bot.say(ANNA, "/nieuw")
    replies = await bot.say(ANNA, "Leidsebuurt")
    replies = await bot.press(ANNA, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(ANNA, last_with_buttons(replies), "intake:theme:verkeer")
    replies = await bot.say(ANNA, "Hier staat een paal midden op het fietspad, daar rijden fietsers tegenaan.")
    await bot.press(ANNA, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(ANNA, "Overslaan")
    await bot.press(ANNA, last_with_buttons(replies), "intake:confirm")
    with bot.db.transaction_sync() as session:  # a row from before rounding
        request = session.exec(select(Request)).one()
        request.latitude, request.longitude = LAT, LON
        session.add(request)
    card = last_with_buttons(await bot.say(WIM, "/verzoek W-0001", chat=GROUP_A))
    assert "mlat=52.381&mlon=4.623#map=16/52.381/4.623" in str(card)
    assert "52.3812" not in str(card) and "4.6234" not in str(card)

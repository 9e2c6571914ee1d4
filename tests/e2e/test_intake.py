"""A resident files requests through the real bot over the playground."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Conversation, Person, Request, StatusChange, Subscription
from tests.harness import Harness, last_with_buttons, person, texts

DESCRIPTION = "De speeltuin aan de Leidsevaart heeft een kapotte schommel en er ligt veel glas."


async def file_wish(bot: Harness, user: dict, *, wijk: str = "Leidsebuurt") -> list[dict]:
    """Walk the whole intake for a wish and return the bot's final replies."""
    replies = await bot.say(user, "/nieuw")
    assert replies, "no reply to /nieuw"
    replies = await bot.say(user, wijk)
    replies = await bot.press(user, last_with_buttons(replies), "intake:kind:wish")
    replies = await bot.press(user, last_with_buttons(replies), "intake:theme:spelen")
    replies = await bot.say(user, DESCRIPTION)
    replies = await bot.press(user, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(user, "Overslaan")
    summary = last_with_buttons(replies)
    return await bot.press(user, summary, "intake:confirm")


async def test_dutch_resident_files_a_wish_and_gets_a_reference(bot: Harness) -> None:
    anna = person(101, "nl")
    start = await bot.say(anna, "/start")
    assert "Wijkbot" in texts(start)
    replies = await bot.say(anna, "/nieuw")
    assert "Voor welke wijk" in texts(replies)
    keyboard = replies[-1]["reply_markup"]["keyboard"]
    assert any(button == "Leidsebuurt" or button.get("text") == "Leidsebuurt"
               for row in keyboard for button in row)
    replies = await bot.say(anna, "2013")  # postcode of the Leidsebuurt
    assert "Leidsebuurt" in texts(replies)
    replies = await bot.press(anna, last_with_buttons(replies), "Wens")
    replies = await bot.press(anna, last_with_buttons(replies), "Spelen")
    replies = await bot.say(anna, DESCRIPTION)
    replies = await bot.send(anna, "photo", data=b"\x89PNG fake bytes")
    replies = await bot.press(anna, last_with_buttons(replies), "Verder")
    replies = await bot.send(anna, "location", lat=52.376, lon=4.627)
    summary = last_with_buttons(replies)
    assert "geen extra geld of personeel" in summary["text"]
    assert DESCRIPTION in summary["text"]
    done = await bot.press(anna, summary, "Versturen")
    assert "W-0001" in texts(done)

    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert request.reference == "W-0001"
        assert request.kind == "wish" and request.status == "submitted"
        assert request.text == DESCRIPTION
        assert len(request.photo_file_ids) == 1
        assert request.latitude == 52.376
        resident = session.exec(select(Person).where(Person.telegram_id == 101)).one()
        assert request.resident_id == resident.id
        assert session.exec(select(Subscription)).one().person_id == resident.id
        assert session.exec(select(StatusChange)).one().to_status == "submitted"
        assert session.exec(select(Conversation)).all() == []

    listing = await bot.say(anna, "/mijnverzoeken")
    assert "W-0001" in texts(listing) and "ingediend" in texts(listing)


async def test_english_resident_files_an_initiative(bot: Harness) -> None:
    john = person(202, "en", "John")
    replies = await bot.say(john, "/nieuw")
    assert "Which wijk" in texts(replies)
    replies = await bot.say(john, "Boerhaavewijk")
    replies = await bot.press(john, last_with_buttons(replies), "intake:kind:initiative")
    assert "theme" in texts(replies).lower()
    replies = await bot.press(john, last_with_buttons(replies), "intake:theme:groen")
    replies = await bot.say(john, "We would like to plant flowers along the Boerhaavelaan together.")
    replies = await bot.press(john, last_with_buttons(replies), "intake:skip")
    replies = await bot.say(john, "Skip")
    replies = await bot.say(john, "Ten neighbours will plant and water the flowers every week.")
    replies = await bot.say(john, "8")
    replies = await bot.say(john, "1.250,50")
    summary = last_with_buttons(replies)
    assert "no extra money or staff" in summary["text"]
    assert "€1,250.50" in summary["text"]
    done = await bot.press(john, summary, "intake:confirm")
    assert "W-0001" in texts(done) and "Thank you" in texts(done)
    with bot.db.read() as session:
        request = session.exec(select(Request)).one()
        assert request.kind == "initiative"
        assert request.volunteers_needed == 8
        assert request.budget_requested_cents == 125050
        assert request.own_contribution.startswith("Ten neighbours")

"""Following a whole wijk."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Subscription
from tests.harness import Harness, last_with_buttons, person, texts


async def test_follow_and_unfollow_a_wijk(bot: Harness) -> None:
    user = person(1100)
    replies = await bot.say(user, "/volg Leidsebuurt")
    assert "Je volgt nu Leidsebuurt" in texts(replies)
    assert "al" in texts(await bot.say(user, "/volg leidsebuurt"))
    replies = await bot.say(user, "/volg")
    replies = await bot.press(user, last_with_buttons(replies), "Boerhaavewijk")
    assert "Je volgt nu Boerhaavewijk" in texts(replies)
    with bot.db.read() as session:
        assert len(session.exec(select(Subscription).where(Subscription.wijk_id.is_not(None))).all()) == 2
    replies = await bot.say(user, "/ontvolg")
    assert "niet meer" in texts(replies)
    with bot.db.read() as session:
        assert session.exec(select(Subscription).where(Subscription.wijk_id.is_not(None))).all() == []
    assert "geen wijk" in texts(await bot.say(user, "/ontvolg"))

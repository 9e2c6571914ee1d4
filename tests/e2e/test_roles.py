"""Roles through the playground: a coordinator invites a wijkraad member who links the group;
strangers and revoked members change nothing."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path


from storage.models import GroupChat, Membership
from tests.harness import Harness, last_with_buttons, person, texts

GROUP = {"id": -100500, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}


async def cli_invite(database_url: str, tmp_path: Path, *args: str) -> str:
    """Run `wijkbot invite …` and return the deep-link payload it printed."""
    env = {**os.environ, "WIJKBOT_DATABASE_URL": database_url}
    result = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "bot.cli", "invite", *args, "--username", "wijkbot_playground_bot",
                         "--qr", str(tmp_path / "invite.png")], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "invite.png").read_bytes().startswith(b"\x89PNG")
    link = re.search(r"https://t\.me/wijkbot_playground_bot\?start=(\S+)", result.stdout)
    assert link, result.stdout
    return link.group(1)


async def test_coordinator_invites_a_wijkraad_member_who_links_the_group(bot: Harness, database_url: str,
                                                                        tmp_path: Path) -> None:
    coordinator, member, stranger = person(800, name="Cora"), person(801, name="Wim"), person(802, name="Stan")
    payload = await cli_invite(database_url, tmp_path, "coordinator", "haarlem")
    replies = await bot.say(coordinator, f"/start {payload}")
    assert "coördinator" in texts(replies) and "Haarlem" in texts(replies)
    # The same link a second time (by someone else) gives nothing.
    replies = await bot.say(stranger, f"/start {payload}")
    assert "al gebruikt" in texts(replies)

    menu = await bot.say(coordinator, "/beheer")
    replies = await bot.press(coordinator, last_with_buttons(menu), "admin:invite")
    replies = await bot.press(coordinator, last_with_buttons(replies), "admin:invite_role:wijkraad")
    replies = await bot.press(coordinator, last_with_buttons(replies), "Leidsebuurt")
    link = re.search(r"start=(inv_[A-Za-z0-9_-]+)", texts(replies))
    assert link, texts(replies)

    replies = await bot.say(member, f"/start {link.group(1)}")
    assert "wijkraad van <b>Leidsebuurt</b>" in replies[-1]["raw_text"] or "Leidsebuurt" in texts(replies)

    # A stranger cannot link the group; the member can.
    replies = await bot.say(stranger, "/koppel", chat=GROUP)
    assert "Alleen geregistreerde leden" in texts(replies)
    await bot.pg.set_admin(GROUP["id"], member["id"])  # the stranger made the group; members link as its admins
    replies = await bot.say(member, "/koppel@wijkbot_playground_bot", chat=GROUP)
    assert "wijkraadgroep van Leidsebuurt" in texts(replies)
    with bot.db.read() as session:
        group = session.get(GroupChat, GROUP["id"])
        assert group is not None and group.area_id is not None


async def test_strangers_and_revoked_members_change_nothing(bot: Harness, database_url: str, tmp_path: Path) -> None:
    coordinator, member, stranger = person(810, name="Cora"), person(811, name="Wim"), person(812, name="Stan")
    await bot.say(coordinator, f"/start {await cli_invite(database_url, tmp_path, 'coordinator', 'haarlem')}")
    await bot.say(member, f"/start {await cli_invite(database_url, tmp_path, 'wijkraad', 'zuid-west-leidsebuurt')}")

    # A stranger presses the coordinator's buttons (forged onto their own chat) and /beheer.
    replies = await bot.say(stranger, "/beheer")
    assert "coördinatoren" in texts(replies)
    menu = last_with_buttons(await bot.say(coordinator, "/beheer"))
    members = await bot.press(coordinator, menu, "admin:members")
    revoke_button = last_with_buttons(members)
    assert "Wim" in revoke_button["text"]
    data = next(b["callback_data"] for row in revoke_button["reply_markup"]["inline_keyboard"] for b in row
                if "Wim" in b["text"])
    membership_id = int(data.rsplit(":", 1)[1])
    answer = await bot.press_data(stranger, coordinator["id"], revoke_button["message_id"],
                                  f"admin:revoke_confirm:{membership_id}")
    assert answer["show_alert"]
    with bot.db.read() as session:
        assert session.get(Membership, membership_id).revoked_at is None

    # The member links a group, then is revoked by the coordinator: their next /koppel is refused.
    replies = await bot.press(coordinator, revoke_button, data)
    replies = await bot.press(coordinator, last_with_buttons(replies), "Ja, intrekken")
    assert "Ingetrokken" in texts(replies)
    replies = await bot.say(member, "/koppel", chat=GROUP)
    assert "Alleen geregistreerde leden" in texts(replies)
    with bot.db.read() as session:
        assert session.get(GroupChat, GROUP["id"]) is None


async def test_poster_link_opens_intake_with_the_wijk_chosen(bot: Harness) -> None:
    resident = person(820)
    replies = await bot.say(resident, "/start wijk_schalkwijk-boerhaavewijk")
    assert "Boerhaavewijk" in texts(replies)
    assert "Wat wil je doorgeven" in texts(replies)  # straight to the kind question

"""Chats, members, admins, pins, commands and chat actions."""

from __future__ import annotations

import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, MenuButtonCommands
from telegram.error import BadRequest

from bot.playground import BOT_ID, PlaygroundClient

from .conftest import ANNA, BOB, GROUP


async def test_group_members_and_admins(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "hallo buren", chat=GROUP)
    await pg.send_text(BOB, "hoi", chat=GROUP)
    chat = await bot.get_chat(GROUP["id"])
    assert (chat.type, chat.title) == ("group", "Buurtgroep")
    assert (await bot.get_chat_member(GROUP["id"], ANNA["id"])).status == "creator"
    assert (await bot.get_chat_member(GROUP["id"], BOB["id"])).status == "member"
    assert (await bot.get_chat_member(GROUP["id"], BOT_ID)).status == "member"

    await pg.set_admin(GROUP["id"], BOB["id"])
    await pg.set_admin(GROUP["id"], BOT_ID)
    assert (await bot.get_chat_member(GROUP["id"], BOB["id"])).status == "administrator"
    assert (await bot.get_chat_member(GROUP["id"], BOT_ID)).status == "administrator"
    admins = await bot.get_chat_administrators(GROUP["id"])
    assert [a.user.id for a in admins] == [ANNA["id"], BOB["id"], BOT_ID]
    assert await bot.get_chat_member_count(GROUP["id"]) == 3


async def test_pins_need_admin_in_groups(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "hallo", chat=GROUP)
    sent = await bot.send_message(GROUP["id"], "Regels")
    with pytest.raises(BadRequest, match=r"(?i)not enough rights"):
        await bot.pin_chat_message(GROUP["id"], sent.message_id)
    await pg.set_admin(GROUP["id"], BOT_ID)
    assert await bot.pin_chat_message(GROUP["id"], sent.message_id)
    pinned = (await bot.get_chat(GROUP["id"])).pinned_message
    assert pinned is not None and pinned.text == "Regels"
    assert await bot.unpin_chat_message(GROUP["id"])
    assert (await bot.get_chat(GROUP["id"])).pinned_message is None


async def test_private_chat_info(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    chat = await bot.get_chat(ANNA["id"])
    assert (chat.type, chat.first_name, chat.username) == ("private", "Anna", "anna")
    assert (await bot.get_chat_member(ANNA["id"], ANNA["id"])).status == "member"
    with pytest.raises(BadRequest, match=r"(?i)no administrators in the private chat"):
        await bot.get_chat_administrators(ANNA["id"])


async def test_commands_per_scope_and_language(bot: Bot, pg: PlaygroundClient) -> None:
    await bot.set_my_commands([BotCommand("start", "Begin"), BotCommand("help", "Hulp")])
    await bot.set_my_commands(
        [BotCommand("start", "Start")], scope=BotCommandScopeAllGroupChats(), language_code="en"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    group_en = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="en")
    assert [c.description for c in group_en] == ["Start"]
    assert await bot.get_my_commands(language_code="en") == ()
    menus = await pg.commands()
    assert {(m["scope"]["type"], m["language_code"]) for m in menus} == {
        ("default", ""),
        ("all_group_chats", "en"),
    }
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])


async def test_menu_button_and_chat_action(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.send_text(ANNA, "/start")
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(), MenuButtonCommands)
    assert await bot.send_chat_action(ANNA["id"], "typing")
    (chat,) = await pg.chats()
    assert chat["chat_actions"] == ["typing"]
    with pytest.raises(BadRequest, match=r"(?i)wrong parameter action"):
        await bot.send_chat_action(ANNA["id"], "dancing")

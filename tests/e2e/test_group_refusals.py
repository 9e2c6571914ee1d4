"""Refusals in a group are rate-limited: a stranger typing commands cannot flood the wijkraad group."""

from __future__ import annotations

from tests.e2e.test_triage import GROUP_A, WIM, file, make_member
from tests.harness import Harness, button_data, person, texts

STAN, SIEM = person(3301, name="Stan"), person(3302, name="Siem")
COMMANDS = ["/wachtrij", "/verzoek W-0001", "/stand", "/contract", "/stemming", "/koppel"]


async def test_a_stranger_typing_commands_gets_one_refusal_and_cards_still_arrive(bot: Harness) -> None:
    make_member(bot, WIM, "zuid-west-leidsebuurt")
    assert "Leidsebuurt" in texts(await bot.say(WIM, "/koppel", chat=GROUP_A))

    for n in range(30):
        await bot.pg.send_text(STAN, COMMANDS[n % len(COMMANDS)], chat=GROUP_A)
    refusals = await bot.say(STAN, "/wachtrij", chat=GROUP_A)  # all the bot said since the /koppel
    assert len(refusals) == 1, texts(refusals)
    assert "alleen voor leden van de wijkraad" in texts(refusals)

    # Someone else is refused once too; a member is answered as always.
    assert len(await bot.say(SIEM, "/stand", chat=GROUP_A)) == 1
    assert len(await bot.say(SIEM, "/wachtrij", chat=GROUP_A)) == 0
    assert "Er wachten geen verzoeken" in texts(await bot.say(WIM, "/wachtrij", chat=GROUP_A))

    # A real card still arrives, and nothing else with it.
    before = len(await bot.pg.bot_messages(GROUP_A["id"]))
    card = await file(bot, person(3303), "De lantaarnpaal in de Leidsestraat is al weken kapot, graag maken.")
    assert "Leidsestraat" in card["text"]
    assert len(await bot.pg.bot_messages(GROUP_A["id"])) == before + 1

    # A stranger's button press is refused in the callback answer, never in the group (Siem's: Stan's
    # burst has him ignored for a while by the update loop's flood guard).
    pressed = await bot.pg.press(SIEM, GROUP_A["id"], card["message_id"], button_data(card, "Doorzetten"))
    await bot.settle(pressed["update_id"])
    answer = await bot.pg.callback_answer(pressed["callback_query"]["id"], wait=10)
    assert answer and answer["show_alert"] and "wijkraad" in answer["text"]
    assert await bot.new_messages(GROUP_A["id"]) == []

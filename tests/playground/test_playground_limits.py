"""Flood limits, fault injection, send statistics and bulk users."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from bot.playground import PlaygroundClient, PlaygroundServer
from bot.playground.limits import Faults, FloodLimiter, LimitSettings, SlidingWindow, TokenBucket

from .conftest import ANNA, BOB, GROUP

CAROL: dict[str, Any] = {"id": 103, "first_name": "Carol"}


@pytest.fixture
async def api(server: PlaygroundServer) -> AsyncIterator[httpx.AsyncClient]:
    """Raw Bot API access, to see exact status codes and bodies."""
    async with httpx.AsyncClient(base_url=f"{server.url}/bot123:ABC") as http:
        yield http


async def send(api: httpx.AsyncClient, chat_id: int, text: str = "hoi") -> httpx.Response:
    return await api.post("/sendMessage", json={"chat_id": chat_id, "text": text})


def retry_after(response: httpx.Response) -> int:
    """The retry_after of a 429, after checking the body is shaped like Telegram's."""
    assert response.status_code == 429, response.text
    body = response.json()
    seconds = body["parameters"]["retry_after"]
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }
    assert isinstance(seconds, int) and seconds >= 1
    return seconds


# --- the limiter itself, with explicit time -------------------------------------------------


def test_token_bucket_burst_and_refill() -> None:
    bucket = TokenBucket(rate=1.0, capacity=3.0, now=0.0)
    for _ in range(3):
        assert bucket.wait(0.0) == 0.0
        bucket.take(0.0)
    assert bucket.wait(0.0) == pytest.approx(1.0)
    assert bucket.wait(0.4) == pytest.approx(0.6)
    assert bucket.wait(1.0) == 0.0
    assert bucket.wait(100.0) == 0.0 and bucket.tokens == 3.0  # never above capacity


def test_sliding_window() -> None:
    window = SlidingWindow(limit=2, seconds=60.0)
    window.take(0.0)
    window.take(10.0)
    assert window.wait(20.0) == pytest.approx(40.0)
    assert window.wait(60.0) == 0.0  # the send at 0 left the window
    window.take(60.0)
    assert window.wait(61.0) == pytest.approx(9.0)


def test_limiter_takes_the_longest_wait_and_floor() -> None:
    settings = LimitSettings(enabled=True, global_per_second=1, global_burst=2, retry_after=3)
    limiter = FloodLimiter(settings, now=0.0)
    limiter.take(1, True, 0.0)
    limiter.take(2, True, 0.0)
    assert limiter.wait(3, True, 0.0) == pytest.approx(1.0)  # global bucket empty
    assert limiter.wait(None, False, 0.0) == pytest.approx(1.0)
    assert settings.retry_after_for(0.2) == 3
    assert LimitSettings(retry_after=0).retry_after_for(0.2) == 1
    assert LimitSettings(retry_after=0).retry_after_for(2.5) == 3


def test_rate_faults_are_used_up_in_order() -> None:
    faults = Faults()
    faults.configure({"mode": "429", "count": 1, "retry_after": 4, "chat_id": 7}, now=0.0)
    faults.configure({"mode": "429", "count": 1, "retry_after": 2}, now=0.0)
    assert faults.take_rate_fault(8) == 2
    assert faults.take_rate_fault(8) is None
    assert faults.take_rate_fault(7) == 4
    assert faults.take_rate_fault(7) is None
    faults.configure({"mode": "status", "status": 503, "seconds": 5}, now=10.0)
    assert faults.active_status(14.9) == 503
    assert faults.active_status(15.0) is None


# --- through HTTP ---------------------------------------------------------------------------


async def test_limits_are_off_by_default(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.register_users([ANNA])
    assert (await pg.limits())["enabled"] is False
    for _ in range(10):
        assert (await send(api, ANNA["id"])).status_code == 200
    stats = await pg.stats()
    assert (stats["sent"], stats["429"], stats["faults"]) == (10, 0, 0)


async def test_private_chat_burst_then_429_then_allowed_again(
    pg: PlaygroundClient, api: httpx.AsyncClient
) -> None:
    await pg.register_users([ANNA, BOB])
    settings = await pg.set_limits(private_per_second=1, private_burst=3)
    assert settings["enabled"] is True and settings["global_burst"] == 30
    for _ in range(3):
        assert (await send(api, ANNA["id"])).status_code == 200
    seconds = retry_after(await send(api, ANNA["id"], "te veel"))
    assert seconds == 1
    assert (await send(api, BOB["id"])).status_code == 200  # other chats have their own bucket
    assert [m["text"] for m in await pg.bot_messages(ANNA["id"])] == ["hoi"] * 3
    await asyncio.sleep(seconds)
    assert (await send(api, ANNA["id"], "weer")).status_code == 200
    stats = await pg.stats()
    assert (stats["sent"], stats["429"]) == (5, 1)
    assert stats["by_chat"][ANNA["id"]] == {"sent": 4, "429": 1, "faults": 0}
    assert stats["by_chat"][BOB["id"]] == {"sent": 1, "429": 0, "faults": 0}


async def test_ptb_raises_retry_after(
    bot: Bot, pg: PlaygroundClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, python-telegram-bot 22 warns (an error here) on every RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    await pg.register_users([ANNA])
    await pg.set_limits(private_burst=1, retry_after=2)
    await bot.send_message(ANNA["id"], "een")
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(ANNA["id"], "twee")
    assert error.value.retry_after == timedelta(seconds=2)


async def test_group_window(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.send_text(BOB, "hallo", chat=GROUP)
    await pg.set_limits(group_per_minute=20)
    for _ in range(20):
        assert (await send(api, GROUP["id"])).status_code == 200
    assert 59 <= retry_after(await send(api, GROUP["id"])) <= 60

    await pg.set_limits(group_per_minute=3, group_window_seconds=1)
    for _ in range(3):
        assert (await send(api, GROUP["id"])).status_code == 200
    seconds = retry_after(await send(api, GROUP["id"]))
    assert seconds == 1
    await asyncio.sleep(seconds)
    assert (await send(api, GROUP["id"])).status_code == 200
    assert len(await pg.bot_messages(GROUP["id"])) == 24


async def test_global_bucket(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    users = [{"id": 500 + i} for i in range(5)]
    await pg.register_users(users)
    await pg.set_limits(global_per_second=2, global_burst=4)
    for user in users[:4]:
        assert (await send(api, user["id"])).status_code == 200
    assert retry_after(await send(api, users[4]["id"])) == 1
    await asyncio.sleep(0.6)  # 2 per second: one token back after 0.5 s
    assert (await send(api, users[4]["id"])).status_code == 200

    await pg.set_limits(global_per_second=1, global_burst=1, retry_after=5)
    assert (await send(api, users[0]["id"])).status_code == 200
    assert retry_after(await send(api, users[1]["id"])) == 5  # the setting is a floor


async def test_edits_are_limited_but_callback_answers_and_reads_are_not(
    pg: PlaygroundClient, api: httpx.AsyncClient
) -> None:
    await pg.send_text(ANNA, "/start")
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "ja"}]]}
    sent = await api.post(
        "/sendMessage", json={"chat_id": ANNA["id"], "text": "Vraag", "reply_markup": markup}
    )
    message_id = sent.json()["result"]["message_id"]
    pressed = await pg.press(ANNA, ANNA["id"], message_id, "ja")
    await pg.set_limits(private_burst=1)
    edit = {"chat_id": ANNA["id"], "message_id": message_id, "text": "Bewerkt"}
    assert (await api.post("/editMessageText", json=edit)).status_code == 200
    retry_after(await api.post("/editMessageText", json={**edit, "text": "Nog eens"}))
    retry_after(await api.post("/editMessageReplyMarkup", json={**edit, "reply_markup": markup}))
    retry_after(await send(api, ANNA["id"]))
    query_id = pressed["callback_query"]["id"]
    answer = await api.post("/answerCallbackQuery", json={"callback_query_id": query_id})
    assert answer.status_code == 200
    assert (await api.post("/getChat", json={"chat_id": ANNA["id"]})).status_code == 200
    assert (await api.post("/getUpdates")).status_code == 200
    stats = await pg.stats()
    assert (stats["sent"], stats["429"]) == (2, 3)


async def test_failed_sends_are_not_charged(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.register_users([ANNA])
    await pg.set_limits(private_burst=1)
    assert (await send(api, ANNA["id"], "")).status_code == 400
    assert (await send(api, 999)).status_code == 400
    assert (await send(api, ANNA["id"])).status_code == 200
    assert (await pg.stats())["sent"] == 1


async def test_429_fault_only_for_the_named_chat(
    bot: Bot, pg: PlaygroundClient, api: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    await pg.register_users([ANNA, BOB])
    faults = await pg.fault_429(count=2, retry_after=7, chat_id=ANNA["id"])
    assert faults["rate"] == [{"count": 2, "retry_after": 7, "chat_id": ANNA["id"]}]
    assert (await send(api, BOB["id"])).status_code == 200
    assert retry_after(await send(api, ANNA["id"])) == 7
    with pytest.raises(RetryAfter) as error:
        await bot.send_message(ANNA["id"], "geweigerd")
    assert error.value.retry_after == timedelta(seconds=7)
    assert (await send(api, ANNA["id"], "door")).status_code == 200
    assert [m["text"] for m in await pg.bot_messages(ANNA["id"])] == ["door"]
    stats = await pg.stats()
    assert (stats["sent"], stats["429"], stats["faults"]) == (2, 2, 2)
    assert stats["by_chat"][ANNA["id"]] == {"sent": 1, "429": 2, "faults": 2}


async def test_429_fault_for_any_chat_and_clear(
    pg: PlaygroundClient, api: httpx.AsyncClient
) -> None:
    await pg.register_users([ANNA, BOB])
    await pg.fault_429(count=5, retry_after=2)
    assert retry_after(await send(api, ANNA["id"])) == 2
    assert retry_after(await send(api, BOB["id"])) == 2
    assert (await pg.clear_faults())["rate"] == []
    assert (await send(api, ANNA["id"])).status_code == 200


async def test_status_fault_fails_every_call_for_a_while(
    bot: Bot, pg: PlaygroundClient, api: httpx.AsyncClient
) -> None:
    await pg.send_text(ANNA, "/start")
    faults = await pg.fault_status(502, 1.0)
    assert faults["status"]["status"] == 502
    expected = {"ok": False, "error_code": 502, "description": "Bad Gateway"}
    for response in (await api.post("/getUpdates"), await send(api, ANNA["id"])):
        assert response.status_code == 502
        assert response.json() == expected
    with pytest.raises(NetworkError):
        await bot.send_message(ANNA["id"], "kapot")
    with pytest.raises(NetworkError):
        await bot.get_updates()
    assert await pg.bot_messages(ANNA["id"]) == []
    assert (await pg.pending())["pending"] == 1  # nothing was confirmed either
    assert (await pg.stats())["faults"] == 4
    await asyncio.sleep(1.05)
    (update,) = await bot.get_updates()
    assert update.message is not None and update.message.text == "/start"
    await bot.send_message(ANNA["id"], "weer heel")
    assert [m["text"] for m in await pg.bot_messages(ANNA["id"])] == ["weer heel"]


async def test_status_fault_can_be_cleared(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.register_users([ANNA])
    await pg.fault_status(503, 60)
    response = await send(api, ANNA["id"])
    assert (response.status_code, response.json()["description"]) == (503, "Service Unavailable")
    await pg.clear_faults()
    assert (await send(api, ANNA["id"])).status_code == 200
    assert (await pg.chats())  # the control API is never faulted


async def test_stats_reset_and_full_reset(pg: PlaygroundClient, api: httpx.AsyncClient) -> None:
    await pg.register_users([ANNA])
    await pg.set_limits(private_burst=1)
    await pg.fault_429(count=3, retry_after=1)
    await send(api, ANNA["id"])
    await pg.reset_stats()
    assert await pg.stats() == {"sent": 0, "429": 0, "faults": 0, "by_chat": {}}
    await send(api, ANNA["id"])
    await pg.reset()
    assert (await pg.limits())["enabled"] is False
    assert await pg.stats() == {"sent": 0, "429": 0, "faults": 0, "by_chat": {}}
    await pg.register_users([ANNA])
    for _ in range(3):
        assert (await send(api, ANNA["id"])).status_code == 200


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/limits", {"private_burst": 0}),
        ("/limits", {"group_per_minute": 2.5}),
        ("/limits", {"enabled": "yes"}),
        ("/limits", {"per_hour": 5}),
        ("/faults", {"mode": "boom"}),
        ("/faults", {"mode": "429", "count": 0}),
        ("/faults", {"mode": "429", "chat_id": "anna"}),
        ("/faults", {"mode": "status", "status": 200}),
        ("/users/bulk", {"users": {"id": 1}}),
        ("/users/bulk", {"users": [{"id": 1}, {"first_name": "no id"}]}),
    ],
)
async def test_control_validation(
    server: PlaygroundServer, pg: PlaygroundClient, path: str, body: dict[str, Any]
) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"{server.url}/playground{path}", json=body)
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert await pg.chats() == []  # a bad bulk registration stores nobody


async def test_bulk_users(bot: Bot, pg: PlaygroundClient) -> None:
    await pg.block(CAROL["id"])
    answer = await pg.register_users([ANNA, BOB, CAROL])
    assert answer == {"ok": True, "registered": 3}
    assert (await pg.pending())["pending"] == 0
    chats = {chat["id"]: chat for chat in await pg.chats()}
    assert chats[ANNA["id"]]["type"] == "private" and chats[ANNA["id"]]["username"] == "anna"
    assert chats[CAROL["id"]]["blocked"] is False
    assert all(chat["message_count"] == 0 for chat in chats.values())
    sent = await bot.send_message(BOB["id"], "welkom")
    assert sent.message_id == 1 and sent.chat.first_name == "Bob"
    member = await bot.get_chat_member(ANNA["id"], ANNA["id"])
    assert member.user.language_code == "nl"


async def test_thousands_of_private_chats_are_fast(
    server: PlaygroundServer, pg: PlaygroundClient
) -> None:
    count = 2000
    users = [
        {"id": 10_000 + i, "first_name": f"Buur {i}", "language_code": "nl"} for i in range(count)
    ]
    started = time.perf_counter()
    await pg.register_users(users)
    semaphore = asyncio.Semaphore(20)
    url = f"{server.url}/bot123:ABC/sendMessage"

    async with aiohttp.ClientSession() as http:

        async def send_one(user_id: int) -> int:
            async with semaphore:
                body = {"chat_id": user_id, "text": "Nieuwe ronde"}
                async with http.post(url, json=body) as response:
                    return response.status

        statuses = await asyncio.gather(*(send_one(user["id"]) for user in users))
    elapsed = time.perf_counter() - started
    assert statuses == [200] * count
    stats = await pg.stats()
    assert stats["sent"] == count and len(stats["by_chat"]) == count
    assert elapsed < 15, f"{count} sends took {elapsed:.1f}s"
    assert [m["text"] for m in await pg.bot_messages(10_000 + count - 1)] == ["Nieuwe ronde"]

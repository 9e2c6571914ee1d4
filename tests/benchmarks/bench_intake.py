"""Benchmark: many residents filing requests at once through the playground, against a bare
python-telegram-bot echo bot on the same playground in the same run.

Run: .venv/bin/python tests/benchmarks/bench_intake.py [--residents 100] [--latency-residents 5]

Neither bot keeps Telegram's flood limits here (the echo bot has none; Wijkbot's are set out of the
way), so this measures update handling; bench_outbox.py measures the limits.

It prints updates/s and the p50/p99 latency of one conversation step (a resident's message or
button press until the bot's first reply is in the chat), for Wijkbot and for the echo bot,
and their ratio. Targets (issue 2): at least 0.5x the echo bot's updates/s, p99 under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.playground import PlaygroundClient, start_playground  # noqa: E402
from bot.settings import PLAYGROUND_TOKEN  # noqa: E402

Step = Callable[[PlaygroundClient, dict[str, Any], list[dict[str, Any]]], Awaitable[dict[str, Any]]]


class Direct:
    """The load generator talks to the playground object itself, so the figures measure the
    bots (and the playground's Bot API side), not the control API's HTTP overhead."""

    def __init__(self, playground: Any) -> None:
        self.pg = playground

    async def send_text(self, user: dict[str, Any], text: str) -> dict[str, Any]:
        """A resident sends text."""
        return self.pg.inject_message(user, text=text)

    async def press(self, user: dict[str, Any], chat_id: int, message_id: int, data: str) -> dict[str, Any]:
        """A resident presses a button."""
        return self.pg.inject_press(user, chat_id, message_id, data)

    async def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """What the bot sent in the chat."""
        return [m for m in self.pg.messages_view(chat_id) if m["from_bot"]]

    async def messages(self, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        """Everything in the chat after `since`."""
        return self.pg.messages_view(chat_id, since)

    async def wait_for(self, chat_id: int, since: int, count: int, timeout: float) -> list[dict[str, Any]]:
        """Until `count` bot messages after `since`."""
        ok, body = await self.pg.wait_for_bot_messages(chat_id, since=since, count=count, timeout=timeout)
        if not ok:
            raise TimeoutError(f"chat {chat_id}: {body}")
        return body["messages"]


def buttons_of(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The newest message with inline buttons."""
    for message in reversed(messages):
        if (message.get("reply_markup") or {}).get("inline_keyboard"):
            return message
    raise RuntimeError(f"no buttons in {[m.get('text') for m in messages]}")


def intake_steps(user_id: int) -> list[tuple[str, int]]:
    """(action, bot messages that step produces) for one wish."""
    return [("text:/nieuw", 1), ("text:Leidsebuurt", 2), ("press:intake:kind:wish", 1),
            ("press:intake:theme:schoon", 1),
            ("text:Bewoner %d vraagt om vaker vegen in de Leidsestraat en rond het plein." % user_id, 1),
            ("press:intake:skip", 1), ("text:Overslaan", 2), ("press:intake:confirm", 1)]


async def run_resident(pg: Direct, user: dict[str, Any], steps: list[tuple[str, int]],
                       latencies: list[float]) -> None:
    """One resident doing the steps in order, measuring each step's first reply."""
    chat_id = user["id"]
    seen = 0
    for action, produces in steps:
        kind, _, value = action.partition(":")
        started = time.perf_counter()
        if kind == "text":
            await pg.send_text(user, value)
        else:
            messages = await pg.bot_messages(chat_id)
            await pg.press(user, chat_id, buttons_of(messages)["message_id"], value)
        first = await pg.wait_for(chat_id, since=seen, count=1, timeout=60)
        latencies.append(time.perf_counter() - started)
        replies = await pg.wait_for(chat_id, since=seen, count=produces, timeout=60)
        seen = max(m["message_id"] for m in replies + first)
        everything = await pg.messages(chat_id, since=seen)
        if everything:
            seen = max(m["message_id"] for m in everything)


async def load(pg: Direct, residents: int, first_id: int, echo: bool, rounds: int = 1) -> tuple[float, list[float], int]:
    """All residents at once, each filing `rounds` requests; returns (seconds, latencies, updates)."""
    latencies: list[float] = []
    users = [{"id": first_id + i, "first_name": "Bewoner", "language_code": "nl"} for i in range(residents)]
    if echo:
        plans = [[(f"text:hallo {n}", 1) for n in range(8 * rounds)] for _ in users]
    else:
        plans = [intake_steps(u["id"]) * rounds for u in users]
    started = time.perf_counter()
    await asyncio.gather(*(run_resident(pg, u, plan, latencies) for u, plan in zip(users, plans)))
    elapsed = time.perf_counter() - started
    return elapsed, latencies, sum(len(plan) for plan in plans)


def figures(name: str, elapsed: float, latencies: list[float], updates: int) -> float:
    """Print one line of figures; returns updates/s."""
    rate = updates / elapsed
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"{name:<28} {updates:>6} updates in {elapsed:6.2f}s = {rate:7.1f} updates/s   "
          f"step latency p50 {quantiles[49] * 1000:6.1f} ms  p99 {quantiles[98] * 1000:6.1f} ms")
    return rate


async def wait_ready(pg: PlaygroundClient, process: subprocess.Popen[bytes]) -> None:
    """Until the bot polls (our bot: until it set its commands)."""
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("bot exited")
        if await pg.commands():
            return
        await asyncio.sleep(0.1)


async def main(residents: int, latency_residents: int) -> None:
    """Both bots, same playground, same run."""
    server = await start_playground("127.0.0.1", 0)
    workdir = Path(tempfile.mkdtemp(prefix="wijkbot-bench-"))
    env = {**os.environ, "WIJKBOT_TOKEN": PLAYGROUND_TOKEN, "WIJKBOT_TELEGRAM_API_URL": server.url,
           "WIJKBOT_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}", "WIJKBOT_POLL_TIMEOUT": "1",
           "WIJKBOT_LOG_LEVEL": "WARNING",
           # Like the echo bot, no flood limits here: this measures update handling. Telegram's limits
           # (30 messages/s overall) are kept and measured by bench_outbox.py.
           "WIJKBOT_RATE_PRIVATE_PER_SECOND": "1000", "WIJKBOT_RATE_PRIVATE_BURST": "1000",
           "WIJKBOT_RATE_GLOBAL_PER_SECOND": "100000",
           "WIJKBOT_FLOOD_MESSAGES": "100000"}  # these residents type faster than any person
    results: dict[str, float] = {}
    direct = Direct(server.playground)
    async with PlaygroundClient(server.url) as pg:
        wijkbot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env, cwd=ROOT)
        try:
            await wait_ready(pg, wijkbot)
            await load(direct, 5, 900_000, echo=False)  # warm up
            results["wijkbot"] = figures("Wijkbot intake", *await load(direct, residents, 100_000, echo=False))
            for few in (1, latency_residents):
                figures(f"Wijkbot, {few} resident(s)", *await load(direct, few, 200_000 + 1000 * few, echo=False, rounds=5))
        finally:
            wijkbot.terminate()
            await asyncio.to_thread(wijkbot.wait)
        await pg.reset()
        echo = subprocess.Popen([sys.executable, str(ROOT / "tests/benchmarks/echo_bot.py"), server.url], cwd=ROOT)
        try:
            await asyncio.sleep(2)
            await load(direct, 5, 900_000, echo=True)  # warm up
            results["echo"] = figures("PTB echo bot", *await load(direct, residents, 300_000, echo=True))
            for few in (1, latency_residents):
                figures(f"PTB echo bot, {few} resident(s)", *await load(direct, few, 400_000 + 1000 * few, echo=True, rounds=5))
        finally:
            echo.terminate()
            await asyncio.to_thread(echo.wait)
    await server.stop()
    print(f"ratio Wijkbot / echo bot updates/s: {results['wijkbot'] / results['echo']:.2f}x (target >= 0.5x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--latency-residents", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.residents, arguments.latency_residents))

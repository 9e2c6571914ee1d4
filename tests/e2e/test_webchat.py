"""The playground's web chat in a real browser: a wish goes from resident to wijkraad to partner and back.

`python -m bot.cli run` without a token, exactly as `wijkbot run` starts, on a free port; then headless
Chromium (Debian's /usr/bin/chromium, driven by Playwright's bundled driver) clicks through the page as
the personas. Screenshots for the README land in docs/screenshots/.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WAIT = 20_000  # ms: the bot keeps Telegram's per-chat flood limits, so a few replies take a few seconds
BANNER = "No WIJKBOT_TOKEN set: running against the local playground at "
EXTERNAL_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*:)?//[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
DESCRIPTION = "Er ligt al weken glas en zwerfvuil op de stoep langs de Leidsevaart bij de brug."
ANSWER = "De stoep langs de Leidsevaart is vanochtend geveegd en het glas is opgeruimd."

if not CHROMIUM.exists():
    if os.environ.get("CI"):  # CI installs it; a browser test that quietly stops running proves nothing
        raise RuntimeError(f"{CHROMIUM} is missing: apt-get install -y chromium")
    pytest.skip("needs Debian's chromium (apt-get install chromium)", allow_module_level=True)


def daytime_zone(now: datetime | None = None) -> str:
    """A fixed-offset zone where it is about noon now, so resident notices are not held for the quiet hours.

    The quiet hours (21:00-08:00 in WIJKBOT_TIMEZONE) are real; the test picks the clock edge rather
    than mocking time. Etc/GMT-N is UTC+N (POSIX sign convention).
    """
    hour = (now or datetime.now(UTC)).hour
    offset = 12 - hour  # -11 … +12
    if offset > 0:
        return f"Etc/GMT-{offset}"
    if offset < 0:
        return f"Etc/GMT+{-offset}"
    return "Etc/GMT"


def png() -> bytes:
    """A 64x48 photo."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def wijkbot_run(database_url: str, workdir: Path, timezone: str) -> Iterator[str]:
    """`python -m bot.cli run` without WIJKBOT_TOKEN; yields the URL from its first line of output."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("WIJKBOT_")}
    env.update(
        WIJKBOT_PLAYGROUND_PORT=str(free_port()),
        WIJKBOT_DATABASE_URL=database_url,
        WIJKBOT_POLL_TIMEOUT="1",
        WIJKBOT_TIMEZONE=timezone,
    )
    log = workdir / "bot.log"
    with log.open("wb") as errors, subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"], cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=errors
    ) as process:
        assert process.stdout is not None
        try:
            ready, _, _ = select.select([process.stdout], [], [], 30)
            first = process.stdout.readline().decode() if ready else ""
            assert first.startswith(BANNER), f"unexpected start: {first!r}\n{log.read_text(errors='replace')}"
            yield first.removeprefix(BANNER).strip()
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise
    assert code == 0, log.read_text(errors="replace")


def shoot(page: sync_api.Page, name: str, viewport: dict[str, int]) -> None:
    """A screenshot of the page at this size, for the README."""
    page.set_viewport_size(viewport)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("#messages").evaluate("list => { list.scrollTop = list.scrollHeight; }")
    page.screenshot(path=str(SCREENSHOTS / name))


def play(page: sync_api.Page, persona_id: int) -> None:
    """Switch persona with the picker and wait for that persona's chats to be loaded."""
    page.select_option("#persona", str(persona_id))
    sync_api.expect(page.locator("#app")).to_have_attribute("data-synced", str(persona_id), timeout=WAIT)


def open_chat(page: sync_api.Page, chat_id: int) -> None:
    """Open one of the persona's chats from the chat list."""
    page.locator(f'#chats button[data-chat-id="{chat_id}"]').click()
    sync_api.expect(page.locator("#app")).to_have_attribute("data-chat", str(chat_id))


def send(page: sync_api.Page, text: str) -> None:
    """Type in the composer and press Enter."""
    page.locator("#composer-text").fill(text)
    page.locator("#composer-text").press("Enter")


def test_a_wish_from_resident_to_wijkraad_to_partner_and_back(database_url: str, tmp_path: Path) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect = sync_api.expect
    expect.set_options(timeout=WAIT)
    timezone = daytime_zone()
    with wijkbot_run(database_url, tmp_path, timezone) as url, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=PHONE, locale="nl-NL", timezone_id=timezone)
            page.set_default_timeout(WAIT)
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("request", lambda request: None if request.url.startswith(url) or request.url.startswith(
                ("data:", "blob:")) else problems.append(f"outside request: {request.url}"))

            # The page and its files come from the playground, and name nothing on the network.
            response = page.goto(url + "/")
            assert response is not None and response.status == 200
            assert response.headers["content-type"].startswith("text/html")
            for name in ("app.js", "app.css"):
                served = page.request.get(f"{url}/static/{name}")
                assert served.status == 200
                assert EXTERNAL_URL.findall(served.text()) == [], name
            assert EXTERNAL_URL.findall(page.content()) == []
            # A persona cannot write in a chat that is not theirs.
            refused = page.request.post(f"{url}/web/api/send", data={"persona": 101, "chat_id": -1001001, "text": "hoi"})
            assert refused.status == 403
            expect(page.locator("#app")).to_have_attribute("data-synced", "101")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            # Anna files a wish, by keyboard where she can.
            messages = page.locator("#messages")
            send(page, "/nieuw")
            page.locator("#keyboard").get_by_role("button", name="Leidsebuurt", exact=True).click()
            messages.get_by_role("button", name="Wens", exact=True).last.click()
            theme = messages.get_by_role("button", name="Schoon").last
            theme.focus()
            page.keyboard.press("Enter")  # a real <button>: Enter presses it
            expect(messages).to_contain_text("Beschrijf in je eigen woorden")
            send(page, DESCRIPTION)
            expect(messages).to_contain_text("foto")
            messages.get_by_role("button", name="Overslaan").last.click()
            page.locator("#keyboard").get_by_role("button", name="Overslaan", exact=True).click()
            expect(messages).to_contain_text("Goed om te weten")
            messages.get_by_role("button", name="Versturen").last.click()
            expect(messages).to_contain_text("W-0001")
            # The bot's HTML arrives as entities and is drawn as elements, never as markup.
            expect(messages.locator("strong", has_text="W-0001").first).to_be_visible()
            assert "<b>" not in messages.inner_text()
            page.set_viewport_size({"width": 375, "height": 812})
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            shoot(page, "webchat-resident.png", PHONE)

            # Wim routes the card in the wijkraad group to Beheer openbare ruimte.
            page.set_viewport_size(DESKTOP)
            play(page, 201)
            open_chat(page, -1001001)
            card = messages.locator("li", has_text="W-0001").last
            expect(card).to_contain_text(DESCRIPTION)
            expect(card.locator(".sender")).to_have_text("Wijkbot")  # group chats name the sender
            card.get_by_role("button", name="Doorzetten").click()
            card.get_by_role("button", name="Beheer openbare ruimte").click()
            card.get_by_role("button", name="Doorzetten (1)").click()
            expect(card).to_contain_text("doorgezet naar Gemeente Haarlem, Beheer openbare ruimte")
            expect(card.locator(".edited")).to_be_visible()  # the card was edited in place, live
            shoot(page, "webchat-wijkraad.png", DESKTOP)

            # Pim finds the request in the partner group and answers it in his private chat.
            page.set_viewport_size(PHONE)
            play(page, 301)
            open_chat(page, -1002002)
            request = messages.locator("li", has_text="W-0001").last
            request.get_by_role("button", name="Beantwoorden").click()
            expect(page.locator('#chats button[data-chat-id="301"] .badge')).to_be_visible()
            open_chat(page, 301)
            messages.get_by_role("button", name="1. Direct opgelost").last.click()
            expect(messages).to_contain_text("Schrijf nu je antwoord")
            send(page, ANSWER)
            preview = messages.locator("li", has_text="Voorbeeld").last
            preview.get_by_role("button", name="Versturen").click()
            expect(messages).to_contain_text("Verstuurd naar de bewoner")
            shoot(page, "webchat-partner.png", PHONE)

            # Anna reads the answer.
            play(page, 101)
            answer = messages.locator("li", has_text=ANSWER).last
            expect(answer).to_contain_text("Antwoord van Gemeente Haarlem, Beheer openbare ruimte")
            expect(answer.get_by_role("button", name="🙂 Tevreden", exact=True)).to_be_visible()
            shoot(page, "webchat-answer.png", PHONE)
            shoot(page, "webchat-answer-desktop.png", DESKTOP)

            # A photo goes up from the file input and is stored like an injected one; a document comes down.
            page.locator("#file").set_input_files(files=[{"name": "stoep.png", "mimeType": "image/png", "buffer": png()}])
            expect(page.locator("#attachment-bar")).to_contain_text("stoep.png")
            page.locator("#composer-text").press("Enter")
            photo = messages.locator("li.out .photo img").last
            expect(photo).to_be_visible()
            page.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=photo.element_handle())
            send(page, "/mijngegevens")
            with page.expect_download() as download:
                messages.locator("a.document", has_text="mijngegevens.json").last.click()
            assert download.value.suggested_filename == "mijngegevens.json"
            exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
            assert DESCRIPTION in json.dumps(exported, ensure_ascii=False)

            assert problems == []
        finally:
            browser.close()
            expect.set_options(timeout=5_000)  # Playwright's default, for anyone after us

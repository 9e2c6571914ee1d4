"""Running the playground as an HTTP server (in tests or from the command line)."""

from __future__ import annotations

import asyncio
import signal
from types import TracebackType

from aiohttp import web

from .appkey import PLAYGROUND_KEY
from .botapi import add_bot_api_routes
from .control import add_control_routes
from .state import Playground
from .web import add_web_routes

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
SHUTDOWN_TIMEOUT = 2.0


def make_app(playground: Playground) -> web.Application:
    """Build the aiohttp application serving the Bot API, the control API and the web chat."""
    app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
    app[PLAYGROUND_KEY] = playground
    add_bot_api_routes(app)
    add_control_routes(app)
    add_web_routes(app)
    return app


class PlaygroundServer:
    """A running playground: its base URL, its state, and a way to stop it."""

    def __init__(self, playground: Playground, runner: web.AppRunner, url: str) -> None:
        self.playground = playground
        self.url = url
        self._runner = runner

    @property
    def bot_base_url(self) -> str:
        """base_url for telegram.Bot."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """base_file_url for telegram.Bot."""
        return f"{self.url}/file/bot"

    async def stop(self) -> None:
        """Release waiting long polls and shut the server down."""
        self.playground.close()
        await self._runner.cleanup()

    async def __aenter__(self) -> PlaygroundServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def start_playground(
    host: str = "127.0.0.1", port: int = 0, playground: Playground | None = None
) -> PlaygroundServer:
    """Start serving on host:port (port 0 picks a free port; see .url)."""
    playground = playground or Playground()
    runner = web.AppRunner(make_app(playground), shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    bound_port = runner.addresses[0][1]
    url_host = f"[{host}]" if ":" in host else host
    return PlaygroundServer(playground, runner, f"http://{url_host}:{bound_port}")


def run_playground(host: str = "127.0.0.1", port: int = 8081) -> None:
    """Serve until SIGINT/SIGTERM, printing the URL first."""

    async def serve() -> None:
        server = await start_playground(host, port)
        print(f"Playground listening on {server.url}", flush=True)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopped.set)
        try:
            await stopped.wait()
        finally:
            await server.stop()

    asyncio.run(serve())

"""Command line entry point: python -m bot.playground [--host H] [--port P]."""

from __future__ import annotations

import argparse

from .server import run_playground


def main() -> None:
    """Parse arguments and run the playground server."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API playground")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args()
    run_playground(args.host, args.port)


if __name__ == "__main__":
    main()

"""The `wijkbot` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from pydantic import ValidationError

from bot.settings import Settings, describe_error


def load_settings() -> Settings:
    """Load settings or stop with one clear line naming the bad setting."""
    try:
        return Settings()
    except ValidationError as error:
        print(describe_error(error), file=sys.stderr)
        raise SystemExit(2) from None


def _logging(level: str) -> None:
    """Log to stderr; HTTP client logs would print the bot token in URLs, so they stay quiet."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def cmd_run(args: argparse.Namespace) -> None:
    """Serve the bot (with the local playground when no token is set)."""
    from bot.runner import run

    from sqlalchemy.exc import OperationalError
    from telegram.error import InvalidToken, NetworkError

    settings = load_settings()
    _logging(settings.log_level)
    try:
        asyncio.run(run(settings))
    except OperationalError as error:
        _fail(f"Cannot open the database: {_first_line(error.orig)}")
    except InvalidToken:
        _fail("The Bot API refused the token (check WIJKBOT_TOKEN).")
    except NetworkError as error:
        _fail(f"Cannot reach the Bot API at {settings.telegram_api_url}: {_first_line(error)}")
    except OSError as error:
        _fail(f"Cannot start the playground on {settings.playground_host}:{settings.playground_port}: "
              f"{error.strerror or error} (set WIJKBOT_PLAYGROUND_PORT)")


def _first_line(error: object) -> str:
    """The first line of an error, without secrets the settings hold."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _fail(message: str) -> None:
    """One clear line on stderr, exit 1."""
    print(message, file=sys.stderr)
    raise SystemExit(1)


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    """Apply database migrations."""
    from storage.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url)
    print("Database is up to date.")


def cmd_playground(args: argparse.Namespace) -> None:
    """Serve only the local Bot API playground."""
    from bot.playground import run_playground

    run_playground(args.host, args.port)


def parser() -> argparse.ArgumentParser:
    """All commands."""
    main = argparse.ArgumentParser(prog="wijkbot", description="Wijkbot: the wijkcontract cycle in Telegram.")
    commands = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="serve the bot (local playground + SQLite when no token is set)")
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    playground = commands.add_parser("playground", help="serve only the local Bot API playground")
    playground.add_argument("--host", default="127.0.0.1")
    playground.add_argument("--port", type=int, default=8081)
    playground.set_defaults(func=cmd_playground)

    from bot import cli_figures, cli_invite, cli_setup

    cli_setup.register(commands)
    cli_invite.register(commands)
    cli_figures.register(commands)
    return main


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `wijkbot` console script."""
    args = parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()

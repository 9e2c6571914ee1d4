"""A bare python-telegram-bot echo bot (PTB's own polling), the baseline for the benchmark."""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Reply with the same text."""
    await update.effective_message.reply_text(update.effective_message.text or "?")


def main(api_url: str) -> None:
    """Poll the given Bot API server until stopped."""
    application = (Application.builder().token("7000000001:echo-benchmark").base_url(f"{api_url}/bot")
                   .base_file_url(f"{api_url}/file/bot").build())
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.run_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main(sys.argv[1])

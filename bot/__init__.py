"""Wiring: settings, the Telegram application, handler registration, the CLI and the playground."""

"""`wijkbot init`, `wijkbot export`, `wijkbot stats`: setting up and reading out a deployment."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    """Add this module's subcommands to the `wijkbot` parser."""

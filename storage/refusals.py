"""The one shape of a refused domain action: a `code` saying why, and details for the wording.

Storage functions raise a subclass; the conversation words the code kindly and nothing changes.
"""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """An action that is not (or no longer) possible; `code` says why, `details` fill the reply."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

"""Keys derived from the bot token, which lives only in the environment: never in the database.

What is stored with such a key (an invitation's token hash, a keyed hash of a Telegram account)
is of no use to someone who reads the database alone.
"""

from __future__ import annotations

import hashlib
import hmac

_root: bytes | None = None


def use_bot_token(token: str) -> None:
    """Remember the root of the derived keys (called once when the bot starts)."""
    global _root
    _root = hashlib.sha256(b"wijkbot derived keys\x00" + token.encode()).digest()


def derived_key(purpose: str) -> bytes:
    """The key for one purpose (e.g. "invitation links"); different purposes never share a key."""
    if _root is None:
        raise RuntimeError("derived keys need the bot token (storage.keys.use_bot_token)")
    return hmac.new(_root, purpose.encode(), hashlib.sha256).digest()


def keyed_hash(purpose: str, value: str) -> str:
    """A hex HMAC of `value` with the purpose's key: not reversible without the bot token."""
    return hmac.new(derived_key(purpose), value.encode(), hashlib.sha256).hexdigest()

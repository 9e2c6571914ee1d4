"""The update queue behind getUpdates, with Telegram's confirmation semantics."""

from __future__ import annotations

import copy

from .errors import conflict
from .models import JSON
from .notify import ChangeNotifier

KNOWN_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_LIMIT = 100
MAX_POLL_TIMEOUT = 3600.0


def update_type(update: JSON) -> str | None:
    """The payload key of an update (message, callback_query, ...)."""
    return next((key for key in update if key != "update_id"), None)


class UpdateQueue:
    """Pending updates, confirmed and forgotten through getUpdates' offset."""

    def __init__(self, notifier: ChangeNotifier) -> None:
        self._notifier = notifier
        self.next_update_id = 1
        self.last_confirmed_update_id = 0
        self.allowed_updates: list[str] = []
        self.filtered_out = 0
        self.closed = False
        self._poll_generation = 0
        self._pending: list[JSON] = []
        self._history: dict[int, JSON] = {}
        self._forced: set[int] = set()

    def drop_pending(self) -> None:
        """Confirm and forget every pending update."""
        if self._pending:
            self.last_confirmed_update_id = self._pending[-1]["update_id"]
        self._pending.clear()
        self._forced.clear()
        self._notifier.notify()

    def clear(self) -> None:
        """Reset the queue for a fresh world (update ids keep increasing)."""
        self.drop_pending()
        self._history.clear()
        self.allowed_updates = []
        self.filtered_out = 0

    def close(self) -> None:
        """Release every waiting long poll (used on shutdown)."""
        self.closed = True
        self._notifier.notify()

    def enqueue(self, payload: JSON, update_id: int | None = None) -> JSON:
        """Give a payload the next update_id (or the one given) and queue it; return the full update.

        A given id is used as it is and leaves the numbering alone: a stand-in's odd id (negative, or
        beyond 64 bits) that a bot must survive.
        """
        if update_id is None:
            update_id = self.next_update_id
            self.next_update_id += 1
        update = {"update_id": update_id, **copy.deepcopy(payload)}
        self._pending.append(update)
        self._history[update["update_id"]] = update
        self._notifier.notify()
        return update

    def redeliver(self, update_id: int) -> JSON | None:
        """Queue an earlier update again with its own id, delivered even below the offset."""
        original = self._history.get(update_id)
        if original is None:
            return None
        if all(u["update_id"] != update_id for u in self._pending):
            self._pending.append(copy.deepcopy(original))
            self._pending.sort(key=lambda u: u["update_id"])
        self._forced.add(update_id)
        self._notifier.notify()
        return copy.deepcopy(original)

    def pending_count(self) -> int:
        """How many updates are not confirmed yet."""
        return len(self._pending)

    def peek(self) -> list[JSON]:
        """A copy of the unconfirmed updates, oldest first."""
        return copy.deepcopy(self._pending)

    def confirm(self, offset: int | None) -> None:
        """Apply getUpdates' offset: confirm older updates, or keep only the last -offset."""
        if not offset:
            return
        if offset > 0:
            kept = [u for u in self._pending if u["update_id"] >= offset or self._due(u)]
            dropped = [u for u in self._pending if u not in kept]
            self._pending = kept
            highest = min(offset, self.next_update_id) - 1
            self.last_confirmed_update_id = max(self.last_confirmed_update_id, highest)
        else:
            keep = -offset
            dropped = self._pending[:-keep] if keep < len(self._pending) else []
            self._pending = self._pending[len(dropped) :]
        if dropped:
            self.last_confirmed_update_id = max(
                self.last_confirmed_update_id, dropped[-1]["update_id"]
            )

    def _due(self, update: JSON) -> bool:
        """Whether a redelivered update still has to be delivered once."""
        return update["update_id"] in self._forced

    def _allowed(self, update: JSON) -> bool:
        """Whether the current allowed_updates setting lets this update through."""
        kind = update_type(update)
        if kind not in KNOWN_UPDATE_TYPES:
            return True
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_DELIVERED_BY_DEFAULT

    def _drop_unwanted(self) -> None:
        """Forget updates of types the bot did not ask for, as Telegram never creates them."""
        kept = [u for u in self._pending if self._allowed(u)]
        self.filtered_out += len(self._pending) - len(kept)
        self._pending = kept

    async def get_updates(
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: float = 0.0,
        allowed_updates: list[str] | None = None,
    ) -> list[JSON]:
        """Serve getUpdates: confirm by offset, then long-poll for at most timeout seconds."""
        self._poll_generation += 1
        generation = self._poll_generation
        self._notifier.notify()
        if allowed_updates is not None:
            self.allowed_updates = list(allowed_updates)
        self.confirm(offset)
        limit = MAX_LIMIT if not limit or limit > MAX_LIMIT else max(1, limit)
        start = offset if offset and offset > 0 else 0

        def ready() -> bool:
            self._drop_unwanted()
            superseded = generation != self._poll_generation
            wanted = any(u["update_id"] >= start or self._due(u) for u in self._pending)
            return self.closed or superseded or wanted

        await self._notifier.wait_for(ready, min(max(timeout, 0.0), MAX_POLL_TIMEOUT))
        if generation != self._poll_generation:
            raise conflict(
                "terminated by other getUpdates request; "
                "make sure that only one bot instance is running"
            )
        batch = [u for u in self._pending if u["update_id"] >= start or self._due(u)][:limit]
        self._forced -= {u["update_id"] for u in batch}
        return copy.deepcopy(batch)

    def info(self) -> JSON:
        """Queue statistics for the control API."""
        return {
            "pending": len(self._pending),
            "last_confirmed_update_id": self.last_confirmed_update_id,
            "next_update_id": self.next_update_id,
            "pending_update_ids": [u["update_id"] for u in self._pending],
            "allowed_updates": list(self.allowed_updates),
            "filtered_out": self.filtered_out,
        }

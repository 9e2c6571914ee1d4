"""A conversation handler whose state and draft live in the update's database transaction.

Like PTB's ConversationHandler (entry points, states, fallbacks; each callback returns the
next state), but the step reached and the typed draft are stored with every update, so a
restart resumes exactly where the person was and a redelivered update changes nothing.
Callbacks return a state (a StrEnum member), `END`, or None to stay where they are.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any, Generic, TypeVar

from telegram import Update
from telegram.ext import Application, ApplicationHandlerStop, BaseHandler

from bot.context import WijkContext
from bot.unit import current_unit
from storage.dialogs import end_dialog, load_dialog, save_dialog

END = "end"
DraftT = TypeVar("DraftT")
Handlers = Sequence[BaseHandler[Update, WijkContext, Any]]


class Dialog(BaseHandler[Update, WijkContext, Any], Generic[DraftT]):
    """A stored, resumable dialog with one person in one chat."""

    def __init__(
        self,
        *,
        name: str,
        draft_type: type[DraftT],
        entry_points: Handlers,
        states: Mapping[StrEnum, Handlers],
        fallbacks: Handlers = (),
    ) -> None:
        super().__init__(self._unused, block=True)
        self.name = name
        self.draft_type = draft_type
        self.entry_points = list(entry_points)
        self.states = {state.value: list(handlers) for state, handlers in states.items()}
        self.fallbacks = list(fallbacks)

    async def _unused(self, update: Update, context: WijkContext) -> None:  # pragma: no cover
        """Never called: handle_update dispatches to the inner handler."""

    def _stored(self, chat_id: int, user_id: int) -> Any:
        """The stored step for this person (looked up once per update)."""
        unit = current_unit()
        key = f"dialog:{self.name}:{chat_id}:{user_id}"
        if key not in unit.cache:
            unit.cache[key] = load_dialog(unit.session, chat_id=chat_id, user_id=user_id, name=self.name)
        return unit.cache[key]

    def check_update(self, update: object) -> Any:
        """Pick the inner handler for the person's current state; None if this dialog passes."""
        if not isinstance(update, Update) or update.effective_chat is None or update.effective_user is None:
            return None
        stored = self._stored(update.effective_chat.id, update.effective_user.id)
        candidates = self.entry_points if stored is None else self.states.get(stored.state, []) + self.fallbacks
        for handler in candidates:
            check = handler.check_update(update)
            if check is not None and check is not False:
                return handler, check, stored
        return None

    async def handle_update(  # type: ignore[override]
        self, update: Update, application: Application, check_result: Any, context: WijkContext
    ) -> None:
        """Run the inner callback with the typed draft, then store the state it returns."""
        handler, check, stored = check_result
        chat_id, user_id = update.effective_chat.id, update.effective_user.id  # type: ignore[union-attr]
        context.draft = self._load_draft(stored.draft if stored else {})
        new_state = await handler.handle_update(update, application, check, context)
        session = current_unit().session
        if new_state == END:
            end_dialog(session, chat_id=chat_id, user_id=user_id, name=self.name)
        else:
            state = new_state.value if isinstance(new_state, StrEnum) else (stored.state if stored else None)
            if state is not None:
                save_dialog(session, row=stored, chat_id=chat_id, user_id=user_id, name=self.name, state=state,
                            draft=dataclasses.asdict(context.draft))
        raise ApplicationHandlerStop

    def _load_draft(self, data: dict[str, Any]) -> DraftT:
        """Rebuild the typed draft, ignoring keys an older version stored."""
        names = {f.name for f in dataclasses.fields(self.draft_type)}  # type: ignore[arg-type]
        # A deep copy: mutating the draft must not touch the loaded row's value, or the change
        # would compare equal to it and never be written.
        return self.draft_type(**{k: copy.deepcopy(v) for k, v in data.items() if k in names})

"""Jobs the scheduler runs; each takes the moment it runs for (so tests can move the clock).

The database is the source of truth for what is due: a job that ran late, or after a
restart, finds everything still owed and does it once (it marks what it did).
"""

from __future__ import annotations

import html
from datetime import datetime

from sqlmodel import Session, select
from zoneinfo import ZoneInfo

from bot.i18n import _, fmt_date, use_locale
from conversations.keyboards import inline
from conversations.notices import partner_recipients
from storage.models import Answer, AnswerCategory, Request
from storage.outbox import send_message


def ask_for_outcomes(session: Session, *, now: datetime, tz: ZoneInfo) -> int:
    """Category 4: at the decision date, ask the partner for the outcome (once). Returns how many."""
    today = now.astimezone(tz).date()
    due = session.exec(select(Answer).where(
        Answer.category == AnswerCategory.PRIORITISATION, Answer.decision_date <= today,
        Answer.outcome.is_(None), Answer.outcome_asked_at.is_(None))).all()
    for answer in due:
        request = session.get(Request, answer.request_id)
        for chat_id, locale in partner_recipients(session, organisation_id=answer.organisation_id):
            with use_locale(locale):
                send_message(session, chat_id=chat_id, text=_(
                    "📋 Vandaag ({date}) zou besloten worden over de prioritering van <b>{reference}</b>. Wat is de "
                    "uitkomst? De wijkraad en de bewoner wachten erop.\n\nJullie antwoord was: {text}").format(
                    date=fmt_date(answer.decision_date, tz), reference=request.reference if request else "?",
                    text=html.escape(answer.text[:300])),
                    reply_markup=inline([[(_("📋 Uitkomst doorgeven"), f"ans:outcome:{answer.id}")]]).to_dict())
        answer.outcome_asked_at = now
        session.add(answer)
    return len(due)

"""Finding open requests that look alike (before filing: support one of them instead?)."""

from __future__ import annotations

from rapidfuzz import fuzz, utils
from sqlmodel import Session, select

from storage.models import Request, RequestStatus

OPEN = (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT, RequestStatus.ROUTED)
THRESHOLD = 60.0


def similarity(a: str, b: str) -> float:
    """0..100: how alike two Dutch texts are (word order and small differences forgiven)."""
    return fuzz.token_set_ratio(a, b, processor=utils.default_process) * 0.5 + \
        fuzz.partial_ratio(a, b, processor=utils.default_process) * 0.5


def similar_open_requests(session: Session, *, wijk_id: int, text: str, exclude_person_id: int | None = None,
                          limit: int = 3) -> list[Request]:
    """Up to `limit` open requests in the wijk that look like `text`, most alike first."""
    candidates = session.exec(select(Request).where(Request.wijk_id == wijk_id, Request.status.in_(OPEN))).all()
    scored = [(similarity(text, r.text), r) for r in candidates if r.resident_id != exclude_person_id or exclude_person_id is None]
    scored = [(score, r) for score, r in scored if score >= THRESHOLD]
    scored.sort(key=lambda pair: (-pair[0], pair[1].id))
    return [r for _score, r in scored[:limit]]


def open_requests(session: Session, *, wijk_id: int) -> list[Request]:
    """The wijk's open requests, newest first."""
    return list(session.exec(select(Request).where(Request.wijk_id == wijk_id, Request.status.in_(OPEN))
                             .order_by(Request.id.desc())).all())

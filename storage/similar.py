"""Finding open requests that look alike (before filing: support one of them instead?)."""

from __future__ import annotations

from collections.abc import Collection

from rapidfuzz import fuzz, utils
from sqlmodel import Session, select

from storage.models import Request, RequestStatus

# Open for the wijkraad (its duplicate search); residents are offered only what storage.visibility allows.
OPEN = (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT, RequestStatus.ROUTED)
THRESHOLD = 60.0


def similarity(a: str, b: str) -> float:
    """0..100: how alike two Dutch texts are (word order and small differences forgiven)."""
    return fuzz.token_set_ratio(a, b, processor=utils.default_process) * 0.5 + \
        fuzz.partial_ratio(a, b, processor=utils.default_process) * 0.5


def similar_open_requests(session: Session, *, wijk_id: int, text: str, exclude_person_id: int | None = None,
                          limit: int = 3, statuses: Collection[str] = OPEN) -> list[Request]:
    """Up to `limit` requests of the wijk in `statuses` that look like `text`, most alike first."""
    # Only the columns compared: a busy wijk has many open requests, and whole rows cost far more to load.
    candidates = session.exec(select(Request.id, Request.text, Request.resident_id).where(
        Request.wijk_id == wijk_id, Request.status.in_([str(s) for s in statuses]))).all()  # type: ignore[attr-defined]
    scored = [(similarity(text, other), request_id) for request_id, other, resident_id in candidates
              if exclude_person_id is None or resident_id != exclude_person_id]
    best = sorted((pair for pair in scored if pair[0] >= THRESHOLD), key=lambda pair: (-pair[0], pair[1]))[:limit]
    return [request for _score, request_id in best if (request := session.get(Request, request_id)) is not None]

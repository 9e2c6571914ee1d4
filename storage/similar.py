"""Finding open requests that look alike (before filing: support one of them instead?).

The check runs inside the update's transaction, so it is bounded whatever the data: it reads at
most `MAX_CANDIDATES` requests of the wijk (the most recent; texts are at most 1,000 characters)
and compares word sets in rapidfuzz's compiled loop, a few milliseconds in all
(tests/benchmarks/bench_similar.py). Comparing word sets also finds a short text whose words all
occur somewhere in a long one, wherever they are.
"""

from __future__ import annotations

from collections.abc import Collection

from rapidfuzz import fuzz, process, utils
from sqlmodel import Session, col, select

from storage.models import Request, RequestStatus

# Open for the wijkraad (its duplicate search); residents are offered only what storage.visibility allows.
OPEN = (RequestStatus.SUBMITTED, RequestStatus.AWAITING_RESIDENT, RequestStatus.ROUTED)
THRESHOLD = 70.0
MAX_CANDIDATES = 50
MAX_COMPARED = 1000  # characters of each text compared (the intake's maximum)


def similar_open_requests(session: Session, *, wijk_id: int, text: str, exclude_person_id: int | None = None,
                          limit: int = 3, statuses: Collection[str] = OPEN) -> list[Request]:
    """Up to `limit` requests of the wijk in `statuses` that look like `text`, most alike first."""
    # Only the columns compared, of the most recent requests: the work stays bounded in a busy wijk.
    query = select(Request.id, Request.text).where(
        Request.wijk_id == wijk_id, col(Request.status).in_([str(s) for s in statuses]))
    if exclude_person_id is not None:
        query = query.where(col(Request.resident_id).is_distinct_from(exclude_person_id))
    candidates = dict(session.exec(query.order_by(col(Request.id).desc()).limit(MAX_CANDIDATES)).all())
    if not candidates:
        return []
    # 0..100 per candidate: how alike the word sets are (word order, extra words and small differences forgiven).
    found = process.extract(text[:MAX_COMPARED], {rid: other[:MAX_COMPARED] for rid, other in candidates.items()},
                            scorer=fuzz.token_set_ratio, processor=utils.default_process,
                            score_cutoff=THRESHOLD, limit=None)
    best = [request_id for _text, _score, request_id in sorted(found, key=lambda match: (-match[1], match[2]))][:limit]
    if not best:
        return []
    rows = {r.id: r for r in session.exec(select(Request).where(col(Request.id).in_(best))).all()}  # one read
    return [rows[request_id] for request_id in best if request_id in rows]

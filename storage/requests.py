"""Filing and reading residents' requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from storage.daily_counts import count_filed, filed_on
from storage.location import street_level
from storage.models import Area, Person, Request, RequestKind, Subscription, Theme
from storage.people import pseudonym
from storage.workflow import Actor, Role, transition

REFERENCE_PREFIX = "W-"


@dataclass(frozen=True)
class NewRequest:
    """What a resident confirmed; validated by the intake dialog before it gets here."""

    wijk_id: int
    kind: RequestKind
    theme_id: int
    text: str
    photo_file_ids: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    own_contribution: str | None = None
    volunteers_needed: int | None = None
    budget_requested_cents: int | None = None


def format_reference(request_id: int) -> str:
    """`W-0042`: unique per deployment because it is the primary key."""
    return f"{REFERENCE_PREFIX}{request_id:04d}"


def file_request(session: Session, *, resident: Person, new: NewRequest) -> Request:
    """Create the request, give it a reference and subscribe the resident to it."""
    request = Request(
        kind=new.kind, status="", wijk_id=new.wijk_id, theme_id=new.theme_id, resident_id=resident.id,
        text=new.text, photo_file_ids=list(new.photo_file_ids), latitude=street_level(new.latitude),
        longitude=street_level(new.longitude), own_contribution=new.own_contribution,
        volunteers_needed=new.volunteers_needed, budget_requested_cents=new.budget_requested_cents,
    )
    session.add(request)
    session.flush()
    request.reference = format_reference(request.id)
    transition(session, request=request, action="submit",
               actor=Actor(Role.RESIDENT, resident.id, pseudonym(resident)))
    session.add(Subscription(person_id=resident.id, request_id=request.id))
    return request


def requests_of(session: Session, *, resident: Person) -> list[tuple[Request, Area, Theme]]:
    """The resident's own requests, newest first, with wijk and theme."""
    rows = session.exec(
        select(Request, Area, Theme)
        .join(Area, Area.id == Request.wijk_id)
        .join(Theme, Theme.id == Request.theme_id)
        .where(Request.resident_id == resident.id)
        .order_by(Request.id.desc())
    ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]



def requests_today(session: Session, *, resident: Person, tz: ZoneInfo) -> int:
    """How many requests the resident's Telegram account filed since local midnight.

    The account's daily count (storage/daily_counts.py) survives erasure; the requests still
    linked to the person count too.
    """
    today = datetime.now(tz).date()
    local_midnight = datetime.combine(today, time(0), tzinfo=tz).astimezone(UTC)
    linked = session.exec(select(func.count()).select_from(Request).where(
        Request.resident_id == resident.id, Request.created_at >= local_midnight)).one()
    return max(linked, filed_on(session, telegram_id=resident.telegram_id, day=today))


def count_filed_today(session: Session, *, resident: Person, tz: ZoneInfo) -> None:
    """Count a request the resident just filed against their account's daily limit."""
    count_filed(session, telegram_id=resident.telegram_id, day=datetime.now(tz).date())

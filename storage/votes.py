"""Prioritisation votes: the residents who follow a wijk choose which open requests come first.

Seed 000 (step 5) and seed 003 (no more than five priorities per wijk). A wijkraad member or a
coordinator opens a vote over open requests and initiatives of the wijk; each follower of the
wijk has ONE ballot (changeable until the vote closes, at most `max_choices` choices); closing
counts, ranks (more votes first, then the earlier position on the ballot) and marks the top
`priorities` requests with `Request.priority`. The wijk's earlier priorities are cleared then,
so a wijk never has more than one vote's worth of priorities.

Pure domain functions (no Telegram): callers check roles, render and enqueue notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.models import (
    AuditEntry,
    Ballot,
    Person,
    PriorityVote,
    Request,
    RequestStatus,
    Subscription,
    VoteOption,
    VoteStatus,
    as_utc,
)
from storage.refusals import Refused
from storage.visibility import SUPPORTABLE, publicly_visible

# Requests a vote may be about: those residents may see and support (reviewed by the wijkraad, with the partners).
VOTABLE = tuple(SUPPORTABLE)
# Requests that no longer exist as such: they do not become priorities when a vote closes.
GONE = (RequestStatus.DUPLICATE, RequestStatus.OUT_OF_SCOPE, RequestStatus.WITHDRAWN)
MIN_OPTIONS = 2
MAX_OPTIONS = 20
MAX_PRIORITIES = 5  # seed 003


class VoteRefused(Refused):
    """The operation is not allowed; `code` says why (the conversation words it)."""


@dataclass(frozen=True)
class ResultRow:
    """One option of a closed (or open) vote with its count."""

    request: Request
    position: int
    votes: int
    rank: int
    priority: bool


def votable_requests(session: Session, *, wijk_id: int) -> list[Request]:
    """The wijk's open requests and initiatives a vote can be about, oldest first."""
    return list(session.exec(select(Request).where(Request.wijk_id == wijk_id, Request.status.in_(VOTABLE))
                             .order_by(Request.id)).all())


def open_vote(session: Session, *, wijk_id: int) -> PriorityVote | None:
    """The wijk's open vote, if any."""
    return session.exec(select(PriorityVote).where(PriorityVote.wijk_id == wijk_id,
                                                   PriorityVote.status == VoteStatus.OPEN)).first()


def lock_vote(session: Session, *, vote_id: int) -> PriorityVote | None:
    """The vote, locked for this transaction (ballots and closing of one vote take turns)."""
    return session.exec(select(PriorityVote).where(PriorityVote.id == vote_id).with_for_update()).first()


def followers(session: Session, *, wijk_id: int) -> list[Person]:
    """The active people who follow the wijk (/volg), by id."""
    return list(session.exec(select(Person).join(Subscription, Subscription.person_id == Person.id)
                             .where(Subscription.wijk_id == wijk_id, Person.active)
                             .order_by(Person.id).distinct()).all())


def follows(session: Session, *, person_id: int, wijk_id: int) -> bool:
    """Whether the person follows the wijk."""
    return session.exec(select(Subscription.id).where(Subscription.person_id == person_id,
                                                      Subscription.wijk_id == wijk_id)).first() is not None


def start_vote(session: Session, *, wijk_id: int, request_ids: list[int], max_choices: int, closes_at: datetime,
               now: datetime, actor: str, started_by: str | None = None, group_chat_id: int | None = None,
               priorities: int | None = None) -> PriorityVote:
    """Open a vote over these open requests of the wijk (the caller checked the actor's role)."""
    chosen = list(dict.fromkeys(request_ids))
    if open_vote(session, wijk_id=wijk_id) is not None:
        raise VoteRefused("already_open")
    if not MIN_OPTIONS <= len(chosen) <= MAX_OPTIONS:
        raise VoteRefused("options")
    votable = {r.id for r in votable_requests(session, wijk_id=wijk_id)}
    if not set(chosen) <= votable:
        raise VoteRefused("not_open")
    if not 1 <= max_choices <= len(chosen):
        raise VoteRefused("max_choices")
    priorities = min(MAX_PRIORITIES, len(chosen)) if priorities is None else priorities
    if not 1 <= priorities <= len(chosen):
        raise VoteRefused("priorities")
    if as_utc(closes_at) <= as_utc(now):
        raise VoteRefused("closes_at")
    vote = PriorityVote(wijk_id=wijk_id, status=VoteStatus.OPEN, max_choices=max_choices, priorities=priorities,
                        group_chat_id=group_chat_id, started_by=started_by, opened_at=now, closes_at=closes_at)
    session.add(vote)
    session.flush()
    for position, request_id in enumerate(chosen):
        session.add(VoteOption(vote_id=vote.id, request_id=request_id, position=position))
    session.add(AuditEntry(at=now, actor=actor, action="vote.start", subject_type="priority_vote", subject_id=vote.id,
                           details={"wijk_id": wijk_id, "request_ids": chosen, "max_choices": max_choices,
                                    "priorities": priorities, "closes_at": closes_at.isoformat()}))
    session.flush()
    return vote


def options_of(session: Session, *, vote_id: int) -> list[tuple[VoteOption, Request]]:
    """The vote's options with their requests, in ballot order."""
    return list(session.exec(select(VoteOption, Request).join(Request, Request.id == VoteOption.request_id)
                             .where(VoteOption.vote_id == vote_id).order_by(VoteOption.position)).all())


def ballot_options(session: Session, *, vote_id: int) -> list[tuple[VoteOption, Request]]:
    """The options residents may see and choose now (one that went back to the wijkraad drops off)."""
    return [(option, request) for option, request in options_of(session, vote_id=vote_id)
            if publicly_visible(request.status)]


def ballot_of(session: Session, *, vote_id: int, person_id: int) -> Ballot | None:
    """The person's ballot in this vote, if they voted."""
    return session.exec(select(Ballot).where(Ballot.vote_id == vote_id, Ballot.person_id == person_id)).first()


def ballot_count(session: Session, *, vote_id: int) -> int:
    """How many residents voted (one ballot each)."""
    return session.exec(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)).one()


def is_open(vote: PriorityVote, *, now: datetime) -> bool:
    """Open and not past its closing time (the job may not have closed it yet)."""
    return vote.status == VoteStatus.OPEN and as_utc(now) < as_utc(vote.closes_at)


def cast_ballot(session: Session, *, vote_id: int, person: Person, request_ids: list[int], now: datetime) -> Ballot:
    """Store the person's one ballot: a repeat replaces the earlier one, it never adds a second."""
    vote = lock_vote(session, vote_id=vote_id)
    if vote is None:
        raise VoteRefused("no_vote")
    if not is_open(vote, now=now):
        raise VoteRefused("closed")
    if not follows(session, person_id=person.id, wijk_id=vote.wijk_id):
        raise VoteRefused("not_following")
    chosen = list(dict.fromkeys(request_ids))
    allowed = {option.request_id for option, _request in ballot_options(session, vote_id=vote_id)}
    if not chosen or not set(chosen) <= allowed:
        raise VoteRefused("choices")
    if len(chosen) > vote.max_choices:
        raise VoteRefused("too_many")
    ballot = ballot_of(session, vote_id=vote_id, person_id=person.id)
    if ballot is None:
        try:
            with session.begin_nested():  # a racing press inserted it first: fall back to replacing it
                ballot = Ballot(vote_id=vote_id, person_id=person.id, request_ids=chosen, cast_at=now, updated_at=now)
                session.add(ballot)
                session.flush()
        except IntegrityError:
            ballot = ballot_of(session, vote_id=vote_id, person_id=person.id)
            assert ballot is not None
            ballot.request_ids, ballot.updated_at = chosen, now
    else:
        ballot.request_ids, ballot.updated_at = chosen, now
    session.add(ballot)
    session.add(AuditEntry(at=now, actor=f"person:{person.id}", action="vote.ballot", subject_type="priority_vote",
                           subject_id=vote_id, details={"choices": len(chosen)}))
    session.flush()
    return ballot


def _count(session: Session, *, vote_id: int) -> list[tuple[VoteOption, Request, int]]:
    """Each option with its number of votes, ranked: more votes first, then the earlier position."""
    tally: dict[int, int] = {}
    for ballot in session.exec(select(Ballot).where(Ballot.vote_id == vote_id)).all():
        for request_id in dict.fromkeys(ballot.request_ids):  # a ballot counts once per option
            tally[request_id] = tally.get(request_id, 0) + 1
    counted = [(option, request, tally.get(option.request_id, 0)) for option, request in options_of(session, vote_id=vote_id)]
    counted.sort(key=lambda row: (-row[2], row[0].position))
    return counted


def close_vote(session: Session, *, vote_id: int, now: datetime, actor: str = "system") -> PriorityVote | None:
    """Count, rank and mark the top requests as priorities; None when it was closed already (nothing to send)."""
    vote = lock_vote(session, vote_id=vote_id)
    if vote is None or vote.status != VoteStatus.OPEN:
        return None
    ranked = _count(session, vote_id=vote_id)
    session.execute(update(Request).where(Request.wijk_id == vote.wijk_id, Request.priority.is_(True))
                    .values(priority=False))
    marked: list[int] = []
    for rank, (option, request, votes) in enumerate(ranked, start=1):
        option.votes, option.rank = votes, rank
        session.add(option)
        if len(marked) < vote.priorities and votes > 0 and request.status not in GONE:
            marked.append(request.id)
    if marked:
        session.execute(update(Request).where(Request.id.in_(marked)).values(priority=True))
    vote.status, vote.closed_at = VoteStatus.CLOSED, now
    session.add(vote)
    session.add(AuditEntry(at=now, actor=actor, action="vote.close", subject_type="priority_vote", subject_id=vote.id,
                           details={"ballots": ballot_count(session, vote_id=vote_id), "priorities": marked}))
    session.flush()
    session.expire_all()  # the bulk updates changed requests this session may hold
    return session.get(PriorityVote, vote_id)


def due_votes(session: Session, *, now: datetime) -> list[PriorityVote]:
    """Open votes whose closing time has passed."""
    votes = session.exec(select(PriorityVote).where(PriorityVote.status == VoteStatus.OPEN)
                         .order_by(PriorityVote.id)).all()
    return [vote for vote in votes if as_utc(vote.closes_at) <= as_utc(now)]


def results(session: Session, *, vote_id: int) -> list[ResultRow]:
    """The options ranked: stored counts once closed, the running count while open."""
    vote = session.get(PriorityVote, vote_id)
    if vote is None:
        return []
    if vote.status == VoteStatus.CLOSED:
        rows = sorted(options_of(session, vote_id=vote_id), key=lambda row: (row[0].rank or 0, row[0].position))
        return [ResultRow(request, option.position, option.votes or 0, option.rank or 0, request.priority)
                for option, request in rows]
    return [ResultRow(request, option.position, votes, rank, False)
            for rank, (option, request, votes) in enumerate(_count(session, vote_id=vote_id), start=1)]


def voters(session: Session, *, vote_id: int) -> list[Person]:
    """The active people who cast a ballot in this vote."""
    return list(session.exec(select(Person).join(Ballot, Ballot.person_id == Person.id)
                             .where(Ballot.vote_id == vote_id, Person.active).order_by(Person.id)).all())


def open_votes_for(session: Session, *, person_id: int) -> list[PriorityVote]:
    """The open votes of the wijken this person follows."""
    return list(session.exec(select(PriorityVote).join(Subscription, Subscription.wijk_id == PriorityVote.wijk_id)
                             .where(Subscription.person_id == person_id, PriorityVote.status == VoteStatus.OPEN)
                             .order_by(PriorityVote.id).distinct()).all())

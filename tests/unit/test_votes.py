"""The prioritisation vote's rules: one ballot each, at most N choices, followers only, ranking, priorities."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete
from sqlmodel import select

from scheduler.jobs import close_votes
from storage.groups import link_group
from storage.models import (
    Area,
    AuditEntry,
    Ballot,
    MembershipRole,
    OutboxMessage,
    Person,
    PriorityVote,
    Request,
    RequestKind,
    Subscription,
    Theme,
    VoteOption,
)
from storage.municipality import example_config, load_municipality
from storage.requests import NewRequest, file_request
from storage.roles import grant
from storage.votes import (
    VoteRefused,
    ballot_count,
    cast_ballot,
    close_vote,
    due_votes,
    results,
    start_vote,
)
from storage.workflow import Actor, Role, transition

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 5, 3, 10, 0, tzinfo=UTC)
CLOSES = datetime(2027, 5, 10, 18, 0, tzinfo=UTC)  # 20:00 in Amsterdam
GROUP = -7001


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """A wijk with a wijkraad group, six requests routed to partners, three followers and one resident who does not
    follow."""
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        theme = session.exec(select(Theme)).first()
        people = [Person(telegram_id=100 + n, language="nl" if n % 2 else "en") for n in range(5)]
        session.add_all(people)
        session.flush()
        wim = people[4]
        grant(session, person=wim, role=MembershipRole.WIJKRAAD, area_id=wijk.id, display_name="Wim")
        link_group(session, chat_id=GROUP, title="Wijkraad", by=wim, area_id=wijk.id)
        for n in range(6):
            request = file_request(session, resident=people[0], new=NewRequest(
                wijk_id=wijk.id, kind=RequestKind.INITIATIVE if n == 5 else RequestKind.WISH, theme_id=theme.id,
                text=f"Verzoek nummer {n} voor de wijk, met genoeg tekst."))
            transition(session, request=request, action="route", actor=Actor(Role.WIJKRAAD, wim.id, "w"))
        for follower in people[:3]:
            session.add(Subscription(person_id=follower.id, wijk_id=wijk.id))
        session.execute(delete(OutboxMessage))
    db.wijk_id = wijk.id  # type: ignore[attr-defined]
    db.people = [p.id for p in people]  # type: ignore[attr-defined]
    return db


def _person(session, index: int, world) -> Person:  # type: ignore[no-untyped-def]
    """One of the fixture's people."""
    return session.get(Person, world.people[index])


def _open(world, request_ids=(1, 2, 3, 4), max_choices: int = 2, **kwargs) -> int:  # type: ignore[no-untyped-def]
    """Start a vote; returns its id."""
    with world.transaction_sync() as session:
        vote = start_vote(session, wijk_id=world.wijk_id, request_ids=list(request_ids), max_choices=max_choices,
                          closes_at=CLOSES, now=NOW, actor="person:5", started_by="Wim", group_chat_id=GROUP, **kwargs)
        return vote.id


def _cast(world, vote_id: int, index: int, choices: list[int], now: datetime = NOW) -> None:  # type: ignore[no-untyped-def]
    """Cast (or replace) a follower's ballot."""
    with world.transaction_sync() as session:
        cast_ballot(session, vote_id=vote_id, person=_person(session, index, world), request_ids=choices, now=now)


def test_start_vote_stores_options_and_defaults_to_at_most_five_priorities(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world, request_ids=(3, 1, 2, 4, 5, 6))
    with world.read() as session:
        vote = session.get(PriorityVote, vote_id)
        assert vote.status == "open" and vote.max_choices == 2 and vote.priorities == 5
        options = session.exec(select(VoteOption).where(VoteOption.vote_id == vote_id).order_by(VoteOption.position)).all()
        assert [o.request_id for o in options] == [3, 1, 2, 4, 5, 6]
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "vote.start")).one().subject_id == vote_id
    # With two options, two priorities.
    with world.transaction_sync() as session:
        close_vote(session, vote_id=vote_id, now=NOW)
    second = _open(world, request_ids=(1, 2), max_choices=1)
    with world.read() as session:
        assert session.get(PriorityVote, second).priorities == 2


def test_start_vote_refuses_what_does_not_fit(world) -> None:  # type: ignore[no-untyped-def]
    with world.transaction_sync() as session:  # request 6 is no longer open, request 5 is back with the wijkraad
        transition(session, request=session.get(Request, 6), action="answer", actor=Actor(Role.PARTNER, None, "p"))
        transition(session, request=session.get(Request, 5), action="return", actor=Actor(Role.PARTNER, None, "p"))
    cases = [
        ({"request_ids": [1]}, "options"),
        ({"request_ids": [1, 6]}, "not_open"),
        ({"request_ids": [1, 5]}, "not_open"),
        ({"request_ids": [1, 2], "max_choices": 3}, "max_choices"),
        ({"request_ids": [1, 2], "max_choices": 0}, "max_choices"),
        ({"request_ids": [1, 2], "closes_at": NOW - timedelta(minutes=1)}, "closes_at"),
    ]
    for changes, code in cases:
        arguments = {"request_ids": [1, 2], "max_choices": 1, "closes_at": CLOSES, **changes}
        with world.transaction_sync() as session, pytest.raises(VoteRefused) as refused:
            start_vote(session, wijk_id=world.wijk_id, now=NOW, actor="person:5", **arguments)
        assert refused.value.code == code, changes
    with world.transaction_sync() as session:  # another wijk's request
        other = session.exec(select(Area).where(Area.code == "schalkwijk-boerhaavewijk")).one()
        with pytest.raises(VoteRefused) as refused:
            start_vote(session, wijk_id=other.id, request_ids=[1, 2], max_choices=1, closes_at=CLOSES, now=NOW,
                       actor="person:5")
        assert refused.value.code == "not_open"
    with world.read() as session:
        assert session.exec(select(PriorityVote)).all() == []


def test_a_second_open_vote_for_the_same_wijk_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    first = _open(world)
    with pytest.raises(VoteRefused) as refused:
        _open(world, request_ids=(5, 6))
    assert refused.value.code == "already_open"
    with world.transaction_sync() as session:
        close_vote(session, vote_id=first, now=NOW)
    assert _open(world, request_ids=(5, 6)) != first  # once closed, a new one may start


def test_a_double_vote_counts_once(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    _cast(world, vote_id, 0, [1, 2])
    _cast(world, vote_id, 0, [1, 2])  # the same save handled twice
    with world.read() as session:
        assert ballot_count(session, vote_id=vote_id) == 1
        assert [(r.request.id, r.votes) for r in results(session, vote_id=vote_id)][:2] == [(1, 1), (2, 1)]


def test_changing_a_ballot_replaces_it(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    _cast(world, vote_id, 0, [1, 2])
    _cast(world, vote_id, 0, [3], now=NOW + timedelta(days=1))
    with world.read() as session:
        ballot = session.exec(select(Ballot)).one()
        assert ballot.request_ids == [3]
        votes = {r.request.id: r.votes for r in results(session, vote_id=vote_id)}
        assert votes == {1: 0, 2: 0, 3: 1, 4: 0}


def test_more_than_n_choices_and_choices_off_the_ballot_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world, max_choices=2)
    for choices, code in (([1, 2, 3], "too_many"), ([5], "choices"), ([], "choices")):
        with pytest.raises(VoteRefused) as refused:
            _cast(world, vote_id, 0, choices)
        assert refused.value.code == code
    _cast(world, vote_id, 0, [1, 1, 2])  # a repeated choice is one choice
    with world.read() as session:
        assert session.exec(select(Ballot)).one().request_ids == [1, 2]


def test_only_followers_vote(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    with pytest.raises(VoteRefused) as refused:
        _cast(world, vote_id, 3, [1])  # a resident who does not follow the wijk
    assert refused.value.code == "not_following"
    with world.read() as session:
        assert ballot_count(session, vote_id=vote_id) == 0


def test_voting_after_the_close_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    with pytest.raises(VoteRefused) as refused:  # past its closing time, before the job ran
        _cast(world, vote_id, 0, [1], now=CLOSES)
    assert refused.value.code == "closed"
    with world.transaction_sync() as session:
        close_vote(session, vote_id=vote_id, now=NOW)
    with pytest.raises(VoteRefused) as refused:
        _cast(world, vote_id, 0, [1])
    assert refused.value.code == "closed"


def test_ranking_tie_break_and_priorities(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world, request_ids=(4, 1, 2, 3), max_choices=2, priorities=2)
    _cast(world, vote_id, 0, [2, 3])
    _cast(world, vote_id, 1, [3, 1])
    _cast(world, vote_id, 2, [2, 4])
    with world.transaction_sync() as session:  # an earlier priority of the wijk is replaced
        session.get(Request, 5).priority = True
    with world.transaction_sync() as session:
        closed = close_vote(session, vote_id=vote_id, now=CLOSES)
        assert closed is not None and closed.status == "closed"
    with world.read() as session:
        rows = results(session, vote_id=vote_id)
        # 2 and 3 tie on two votes: 2 stands earlier on the ballot; 4 and 1 tie on one: 4 is earlier.
        assert [(r.request.id, r.votes, r.rank) for r in rows] == [(2, 2, 1), (3, 2, 2), (4, 1, 3), (1, 1, 4)]
        assert {r.id for r in session.exec(select(Request).where(Request.priority))} == {2, 3}
        options = session.exec(select(VoteOption).where(VoteOption.vote_id == vote_id)).all()
        assert {o.request_id: (o.votes, o.rank) for o in options} == {2: (2, 1), 3: (2, 2), 4: (1, 3), 1: (1, 4)}


def test_options_without_votes_do_not_become_priorities(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    _cast(world, vote_id, 0, [4])
    with world.transaction_sync() as session:
        close_vote(session, vote_id=vote_id, now=CLOSES)
    with world.read() as session:
        assert [r.id for r in session.exec(select(Request).where(Request.priority))] == [4]


def test_the_job_closes_due_votes_once_and_announces_to_group_and_voters(world) -> None:  # type: ignore[no-untyped-def]
    vote_id = _open(world)
    _cast(world, vote_id, 0, [1])
    _cast(world, vote_id, 1, [1, 2])
    with world.transaction_sync() as session:
        assert due_votes(session, now=CLOSES - timedelta(seconds=1)) == []
        assert close_votes(session, now=CLOSES - timedelta(seconds=1), tz=TZ) == 0
    with world.transaction_sync() as session:
        assert close_votes(session, now=CLOSES + timedelta(seconds=30), tz=TZ) == 1
    with world.transaction_sync() as session:
        assert close_votes(session, now=CLOSES + timedelta(minutes=1), tz=TZ) == 0  # closing twice sends nothing
        assert close_vote(session, vote_id=vote_id, now=CLOSES + timedelta(minutes=1)) is None
    with world.read() as session:
        sent = session.exec(select(OutboxMessage)).all()
        by_chat = {m.chat_id: m.payload["text"] for m in sent}
        assert sorted(by_chat) == [GROUP, 100, 101] and len(sent) == 3
        assert "Uitslag" in by_chat[GROUP] and "2 stemmen ⭐ Prioriteit" in by_chat[GROUP]
        assert "Result of the vote" in by_chat[100] and "⭐ Priority" in by_chat[100]  # in their own language
        assert "Uitslag" in by_chat[101]
        assert all(m.quiet for m in sent if m.chat_id != GROUP)
        assert session.get(PriorityVote, vote_id).closed_at is not None

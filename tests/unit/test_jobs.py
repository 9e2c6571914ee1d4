"""The scheduler's jobs with a controllable clock: reminders, escalation, stagnation, digests, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete
from sqlmodel import select

from scheduler.jobs import afspraak_deadlines, answer_deadlines, monthly_wijk_digest, weekly_digest
from scheduler.runner import daily_trigger
from storage.groups import link_group
from storage.models import Afspraak, Area, MembershipRole, Organisation, OutboxMessage, Person, RequestKind, Subscription, Theme
from storage.municipality import example_config, load_municipality
from storage.requests import NewRequest, file_request
from storage.roles import grant
from storage.triage import route, wijkraad_actor

TZ = ZoneInfo("Europe/Amsterdam")
GROUP = -5001


def at(day: date, hour: int = 9) -> datetime:
    """That local time, as the scheduler would pass it (UTC)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ).astimezone(UTC)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    """A wijk with a group, a resident's routed request, a partner member, a coordinator and an afspraak."""
    with db.transaction_sync() as session:
        load_municipality(session, config=example_config())
        wijk = session.exec(select(Area).where(Area.code == "zuid-west-leidsebuurt")).one()
        top = session.exec(select(Area).where(Area.code == "haarlem")).one()
        partner = session.exec(select(Organisation).where(Organisation.code == "haarlem-openbare-ruimte")).one()
        resident, member, wim, cora = (Person(telegram_id=n, language="nl") for n in (1, 2, 3, 4))
        session.add_all([resident, member, wim, cora])
        session.flush()
        grant(session, person=member, role=MembershipRole.PARTNER, organisation_id=partner.id, display_name="Pim")
        grant(session, person=wim, role=MembershipRole.WIJKRAAD, area_id=wijk.id, display_name="Wim")
        grant(session, person=cora, role=MembershipRole.COORDINATOR, area_id=top.id, display_name="Cora")
        link_group(session, chat_id=GROUP, title="Wijkraad", by=wim, area_id=wijk.id)
        theme = session.exec(select(Theme)).first()
        request = file_request(session, resident=resident, new=NewRequest(
            wijk_id=wijk.id, kind=RequestKind.WISH, theme_id=theme.id, text="De schommel is kapot in het park."))
        # Routed on Monday 22 March 2027: 15 working days → Wednesday 14 April (Easter excluded).
        routed = route(session, request=request, organisation_ids=[partner.id], by=wijkraad_actor(wim, "Wim"),
                       today=date(2027, 3, 22), answer_days=15)
        session.add(Afspraak(wijk_id=wijk.id, request_id=request.id, owner_kind="partner", organisation_id=partner.id,
                             what="Schommel vervangen", deadline=date(2027, 3, 31)))
        session.add(Subscription(person_id=resident.id, wijk_id=wijk.id))
        session.execute(delete(OutboxMessage))
    assert routed.deadline == date(2027, 4, 14)  # Good Friday 26 March and Easter Monday 29 March are off
    return db


def sent_to(db, chat_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts owed to a chat so far."""
    with db.read() as session:
        return [r.payload["text"] for r in session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id)
                                                         .order_by(OutboxMessage.id))]


def run(db, job, moment: datetime) -> int:  # type: ignore[no-untyped-def]
    """Run a job at a moment, in its own transaction."""
    with db.transaction_sync() as session:
        return job(session, now=moment, tz=TZ)


def test_answer_reminders_before_on_the_day_and_weekly_escalation(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    assert run(db, answer_deadlines, at(date(2027, 4, 9))) == 0  # Friday: 3 working days left, nothing yet
    assert run(db, answer_deadlines, at(date(2027, 4, 12))) == 1  # Monday: 2 working days left
    assert "Nog 2 werkdag(en)" in sent_to(db, 2)[-1]
    assert run(db, answer_deadlines, at(date(2027, 4, 12), 15)) == 0  # once
    assert run(db, answer_deadlines, at(date(2027, 4, 14))) == 1
    assert "Vandaag is de laatste dag" in sent_to(db, 2)[-1]
    assert run(db, answer_deadlines, at(date(2027, 4, 15))) == 1  # overdue: the coordinator hears it
    assert "nog niet beantwoord" in sent_to(db, 4)[-1]
    for day in (16, 19, 20, 21):
        assert run(db, answer_deadlines, at(date(2027, 4, day))) == 0  # not again within the week
    assert run(db, answer_deadlines, at(date(2027, 4, 22))) == 1  # a week later: again
    assert len(sent_to(db, 4)) == 2


def test_afspraak_reminders_and_stagnation_in_the_dst_week(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    # The clocks go forward on Sunday 28 March 2027; the afspraak is due Wednesday 31 March.
    assert run(db, afspraak_deadlines, at(date(2027, 3, 23))) == 0
    assert run(db, afspraak_deadlines, at(date(2027, 3, 24))) == 1  # 7 days before
    assert "nog 7 dag(en)" in sent_to(db, 2)[-1]
    assert run(db, afspraak_deadlines, at(date(2027, 3, 28))) == 0  # the DST Sunday: nothing due
    assert run(db, afspraak_deadlines, at(date(2027, 3, 30))) == 1  # 1 day before
    assert run(db, afspraak_deadlines, at(date(2027, 3, 31))) == 0  # the day itself: already reminded
    assert run(db, afspraak_deadlines, at(date(2027, 4, 1))) == 1  # overdue: stagnation
    assert "Stagnatie" in sent_to(db, GROUP)[-1] and "Stagnatie" in sent_to(db, 4)[-1]
    assert run(db, afspraak_deadlines, at(date(2027, 4, 2))) == 0


def test_weekly_digest_once_per_week(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    monday = date(2027, 3, 29)
    assert run(db, weekly_digest, at(monday)) == 1
    assert "Weekoverzicht" in sent_to(db, GROUP)[-1] and "Termijn verlopen: 0" in sent_to(db, GROUP)[-1]
    assert run(db, weekly_digest, at(monday + timedelta(days=2))) == 0
    assert run(db, weekly_digest, at(monday + timedelta(days=7))) == 1


def test_monthly_wijk_digest_to_followers_is_held_at_night(world) -> None:  # type: ignore[no-untyped-def]
    db = world
    assert run(db, monthly_wijk_digest, at(date(2027, 4, 1))) == 1
    with db.read() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 1)).all()[-1]
        assert row.quiet and "maart 2027" in row.payload["text"]
    assert run(db, monthly_wijk_digest, at(date(2027, 4, 15))) == 0


@pytest.mark.parametrize("day", [date(2027, 3, 27), date(2027, 3, 28), date(2027, 10, 30), date(2027, 10, 31)])
def test_nine_oclock_local_on_both_sides_of_a_dst_change(day: date) -> None:
    trigger = daily_trigger(TZ)
    before = datetime(day.year, day.month, day.day, 0, 30, tzinfo=TZ)
    fire = trigger.get_next_fire_time(None, before)
    assert fire.astimezone(TZ).hour == 9 and fire.astimezone(TZ).date() == day
    following = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert following.astimezone(TZ).hour == 9 and (following.astimezone(TZ).date() - day).days == 1
    # In UTC the job moves by an hour across the change.
    assert {fire.astimezone(UTC).hour, following.astimezone(UTC).hour} <= {7, 8}


def test_delivered_messages_are_pruned_after_ninety_days_and_waiting_ones_never(db) -> None:  # type: ignore[no-untyped-def]
    from scheduler.jobs import prune_outbox

    now = datetime(2027, 6, 1, 9, tzinfo=UTC)
    old, recent = now - timedelta(days=91), now - timedelta(days=89)
    with db.transaction_sync() as session:
        for status, created in (("sent", old), ("failed", old), ("pending", old), ("sent", recent)):
            session.add(OutboxMessage(chat_id=1, method="sendMessage", payload={"text": status}, status=status,
                                      created_at=created, not_before=created))
    with db.transaction_sync() as session:
        assert prune_outbox(session, now=now, tz=TZ) == 2
    with db.transaction_sync() as session:
        assert prune_outbox(session, now=now, tz=TZ) == 0
    with db.read() as session:
        left = sorted((row.status, row.created_at.day) for row in session.exec(select(OutboxMessage)))
    assert left == sorted([("pending", old.day), ("sent", recent.day)])

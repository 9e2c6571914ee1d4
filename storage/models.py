"""SQLModel tables. Timestamps are timezone-aware UTC; stored values are English words."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel


def utcnow() -> datetime:
    """The current moment in UTC (timezone-aware)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands back naive ones; they are UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _utc_column(**kwargs: Any) -> Any:
    """A timezone-aware timestamp column."""
    return Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), **kwargs)


class AreaKind(StrEnum):
    """Levels of the area hierarchy."""

    MUNICIPALITY = "municipality"
    DISTRICT = "district"  # stadsdeel or kern
    WIJK = "wijk"
    BUURT = "buurt"


class RequestKind(StrEnum):
    """What a resident files."""

    WISH = "wish"
    QUESTION = "question"
    INITIATIVE = "initiative"


class RequestStatus(StrEnum):
    """Where a request is in its lifecycle (see storage/workflow.py)."""

    SUBMITTED = "submitted"  # waiting for the wijkraad
    AWAITING_RESIDENT = "awaiting_resident"  # the wijkraad asked the resident a question
    ROUTED = "routed"  # with one or more partners, who must answer
    SOLVED_DIRECTLY = "solved_directly"  # a simple report for the meldpunt (answer category 1)
    DUPLICATE = "duplicate"  # merged into another request
    OUT_OF_SCOPE = "out_of_scope"  # not for the wijkcontract (reason given)
    ANSWERED = "answered"  # every partner it went to has answered (or handed it back)
    WITHDRAWN = "withdrawn"


class OutboxStatus(StrEnum):
    """Delivery state of an outbox row."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class Area(SQLModel, table=True):
    """A municipality, district (stadsdeel/kern), wijk or buurt."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    code: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    parent_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    postcodes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    polygon: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    active: bool = True


class Theme(SQLModel, table=True):
    """A theme a request belongs to (configurable; default the Lemon themes)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, unique=True)
    name_nl: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    position: int = 0
    active: bool = True


class Person(SQLModel, table=True):
    """Anyone who talks to the bot; residents keep only id, language and wijk."""

    __table_args__ = {"sqlite_autoincrement": True}  # an erased person's id is never anyone else's (audit rows)

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=sa.BigInteger, unique=True, index=True)
    language: str = Field(default="nl", max_length=10)
    wijk_id: int | None = Field(default=None, foreign_key="area.id")
    active: bool = True
    created_at: datetime = _utc_column()


class Request(SQLModel, table=True):
    """A resident's wish, question or initiative for their wijk."""

    id: int | None = Field(default=None, primary_key=True)
    duplicate_of_id: int | None = Field(default=None, foreign_key="request.id")
    reference: str | None = Field(default=None, max_length=20, unique=True)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=30, index=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    theme_id: int = Field(foreign_key="theme.id")
    resident_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    text: str
    photo_file_ids: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    latitude: float | None = None
    longitude: float | None = None
    own_contribution: str | None = None
    volunteers_needed: int | None = None
    budget_requested_cents: int | None = Field(default=None, sa_type=sa.BigInteger)
    priority: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # a vote's top item
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class StatusChange(SQLModel, table=True):
    """One step in a request's history."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    from_status: str | None = Field(default=None, max_length=30)
    to_status: str = Field(max_length=30)
    action: str = Field(max_length=40)
    actor_role: str = Field(max_length=30)
    actor_name: str | None = Field(default=None, max_length=120)  # a member's name; never a resident's
    actor: str | None = Field(default=None, max_length=80)  # their pseudonym, so erasure finds the name
    note: str | None = None
    at: datetime = _utc_column()


class AuditEntry(SQLModel, table=True):
    """Who did what; actors are pseudonyms, never Telegram ids."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc_column()
    actor: str = Field(max_length=80)
    action: str = Field(max_length=60)
    subject_type: str = Field(max_length=40)
    subject_id: int | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Subscription(SQLModel, table=True):
    """A person following a request, or a whole wijk (/volg)."""

    __table_args__ = (sa.UniqueConstraint("person_id", "request_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    wijk_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    created_at: datetime = _utc_column()


class Conversation(SQLModel, table=True):
    """The state and draft of one dialog with one person in one chat."""

    __table_args__ = (sa.UniqueConstraint("chat_id", "user_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    user_id: int = Field(sa_type=sa.BigInteger)
    name: str = Field(max_length=40)
    state: str = Field(max_length=40)
    draft: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _utc_column()


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram update whose effects are committed; redeliveries are skipped."""

    update_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    processed_at: datetime = _utc_column()


class OutboxMessage(SQLModel, table=True):
    """A Bot API call owed to someone, written in the transaction that caused it.

    A dispatcher claims a row (`claimed_by`, until `claimed_until`) right before the call and clears
    the claim when it writes the outcome: a pending row with a claim is being sent (see scheduler/outbox.py).
    """

    __table_args__ = {"sqlite_autoincrement": True}  # outcomes are written by id: a deleted row's id stays unused

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger, index=True)
    method: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=OutboxStatus.PENDING, max_length=20, index=True)
    attempts: int = 0
    not_before: datetime = _utc_column()
    created_at: datetime = _utc_column()
    sent_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    sent_message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    last_error: str | None = None
    quiet: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # held in quiet hours
    claimed_by: str | None = Field(default=None, max_length=120)  # the dispatcher sending it: host:pid:token
    claimed_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))  # the claim's lease
    # What the message is, and about what: copied to `SentMessage` once it is delivered.
    kind: str | None = Field(default=None, max_length=40)  # see storage/outbox.py (card, status, photo, ...)
    subject_type: str | None = Field(default=None, max_length=40)  # e.g. "request"
    subject_id: int | None = Field(default=None, sa_type=sa.BigInteger)  # e.g. the request's id
    forget_after_send: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})  # deleted once
    # settled, and no SentMessage is kept (the goodbye to an erased person)
    invitation_nonce: str | None = Field(default=None, max_length=40)  # the dispatcher derives an invitation's token
    # from it, in place of the text's placeholder, just before sending (storage/invitations.py); cleared once settled


class SentMessage(SQLModel, table=True):
    """A message the dispatcher delivered: where it is (chat, message id) and what it shows.

    Edits, pins, status messages and redaction find sent messages here, never in outbox payloads.
    Kept as long as the outbox keeps delivered rows (storage/outbox.py `prune_delivered`).
    """

    __table_args__ = (sa.Index("ix_sentmessage_subject", "subject_type", "subject_id", "kind"),
                      sa.Index("ix_sentmessage_chat_message", "chat_id", "message_id"))

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=sa.BigInteger)
    message_id: int = Field(sa_type=sa.BigInteger)
    outbox_id: int | None = None  # the outbox row it was sent from (that row may be pruned or erased)
    kind: str = Field(max_length=40)
    subject_type: str | None = Field(default=None, max_length=40)
    subject_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    sent_at: datetime = _utc_column()


class OrganisationKind(StrEnum):
    """What kind of partner an organisation is."""

    MUNICIPAL_DEPARTMENT = "municipal_department"  # gemeente-afdeling
    POLICE = "police"
    HOUSING_CORPORATION = "housing_corporation"
    WELFARE = "welfare"
    YOUTH_WORK = "youth_work"
    OTHER = "other"


class MembershipRole(StrEnum):
    """Roles a person can hold (besides resident, which everyone is)."""

    WIJKRAAD = "wijkraad"  # of a wijk (area_id)
    PARTNER = "partner"  # of an organisation (organisation_id)
    COORDINATOR = "coordinator"  # of an area (area_id: municipality, district or wijk)
    ADMIN = "admin"  # of the whole deployment


class Organisation(SQLModel, table=True):
    """A partner organisation that answers routed requests."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=40)
    themes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    group_chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    active: bool = True


class OrganisationWijk(SQLModel, table=True):
    """Which wijken an organisation serves."""

    organisation_id: int = Field(foreign_key="organisation.id", primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", primary_key=True)


class Membership(SQLModel, table=True):
    """A role held by a person; revoked memberships stay for history but grant nothing."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are in audit rows and buttons; erasure deletes rows

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(max_length=20)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    display_name: str | None = Field(default=None, max_length=120)  # members only, never residents
    created_at: datetime = _utc_column()
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class Invitation(SQLModel, table=True):
    """A single-use invitation to a role; only the token's hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=20)
    area_id: int | None = Field(default=None, foreign_key="area.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    created_at: datetime = _utc_column()
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    used_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    used_by: int | None = Field(default=None, foreign_key="person.id")


class GroupChat(SQLModel, table=True):
    """A Telegram group linked to a wijk's wijkraad or to an organisation."""

    chat_id: int = Field(sa_type=sa.BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    area_id: int | None = Field(default=None, foreign_key="area.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    title: str | None = Field(default=None, max_length=200)
    linked_by: int | None = Field(default=None, foreign_key="person.id")
    linked_at: datetime = _utc_column()
    status_message_id: int | None = Field(default=None, sa_type=sa.BigInteger)  # the pinned status (wijkraad)
    status_text: str | None = Field(default=None, sa_type=sa.Text)  # what it says now, to edit only on change


class IntakeRound(SQLModel, table=True):
    """A period in which a wijk collects requests (seed 001: once a year, for wijken that want one)."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    opened_at: datetime = _utc_column()
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ContractPeriod(SQLModel, table=True):
    """A wijkcontract period of a wijk (one year by default, two allowed)."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    starts_on: date
    ends_on: date
    created_at: datetime = _utc_column()


class RouteStatus(StrEnum):
    """Where a request stands with one partner."""

    OPEN = "open"
    ANSWERED = "answered"
    RETURNED = "returned"  # "not ours": back to the wijkraad and coordinator
    PASSED = "passed"  # handed to another partner, who has its own deadline


class RequestRoute(SQLModel, table=True):
    """A request in a partner organisation's queue, with its answer deadline."""

    __table_args__ = (sa.UniqueConstraint("request_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    status: str = Field(default=RouteStatus.OPEN, max_length=20)
    deadline: date
    routed_at: datetime = _utc_column()


class Support(SQLModel, table=True):
    """A resident supporting someone else's request (one per person)."""

    __table_args__ = (sa.UniqueConstraint("person_id", "request_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    created_at: datetime = _utc_column()


class Clarification(SQLModel, table=True):
    """A wijkraad question relayed to the resident, and the answer (identities never shown)."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    question: str
    answer: str | None = None
    group_chat_id: int = Field(sa_type=sa.BigInteger)
    card_message_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    asked_at: datetime = _utc_column()
    answered_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class AnswerCategory(StrEnum):
    """The five answers of seed 001."""

    SOLVED_DIRECTLY = "solved_directly"  # 1: simple complaint solved directly
    WITHIN_PERIOD = "within_period"  # 2: done within the contract period (planned date)
    IN_PLANNING = "in_planning"  # 3: already in the multi-year planning (when; adjusted or why not)
    PRIORITISATION = "prioritisation"  # 4: taken into the prioritisation (decision date)
    NOT_POSSIBLE = "not_possible"  # 5: cannot / may not (reason type, motivation)


class Answer(SQLModel, table=True):
    """A partner's motivated answer to a routed request."""

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    route_id: int = Field(foreign_key="requestroute.id", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    category: str = Field(max_length=30)
    text: str  # for the resident, as the partner wrote it
    planned_date: date | None = None  # category 2
    planning_date: date | None = None  # category 3: when it is planned
    planning_adjusted: bool | None = None  # category 3
    decision_date: date | None = None  # category 4
    reason_type: str | None = Field(default=None, max_length=20)  # category 5: legal, policy, financial
    motivation: str | None = None  # category 3 when not adjusted; category 5
    answered_by: str | None = Field(default=None, max_length=120)  # the member's name
    answered_by_actor: str | None = Field(default=None, max_length=80)  # their pseudonym, so erasure finds the name
    answered_at: datetime = _utc_column()
    outcome: str | None = None  # category 4, once the prioritisation is decided
    outcome_asked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    outcome_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    satisfaction: str | None = Field(default=None, max_length=20)  # satisfied, not_satisfied
    satisfaction_comment: str | None = None


class AfspraakStatus(StrEnum):
    """Where an agreement stands."""

    OPEN = "open"
    DONE = "done"


class Afspraak(SQLModel, table=True):
    """A binding agreement: who does what, by when, with what means ("afspraak is afspraak")."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    request_id: int | None = Field(default=None, foreign_key="request.id", index=True)
    answer_id: int | None = Field(default=None, foreign_key="answer.id")
    owner_kind: str = Field(max_length=20)  # partner, residents, municipality
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    what: str
    deadline: date
    means: str | None = None
    status: str = Field(default=AfspraakStatus.OPEN, max_length=20)
    percent_done: int = 0
    created_at: datetime = _utc_column()
    done_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class AfspraakProgress(SQLModel, table=True):
    """A progress report on an afspraak."""

    id: int | None = Field(default=None, primary_key=True)
    afspraak_id: int = Field(foreign_key="afspraak.id", index=True)
    text: str
    photo_file_id: str | None = None
    percent_done: int
    by_name: str | None = Field(default=None, max_length=120)
    by_actor: str | None = Field(default=None, max_length=80)  # their pseudonym, so erasure finds the name
    at: datetime = _utc_column()


class ReminderSent(SQLModel, table=True):
    """A reminder, escalation or digest that was written (so each is sent once)."""

    key: str = Field(max_length=120, primary_key=True)  # e.g. "route:12:before:2027-03-10"
    at: datetime = _utc_column()


class ContractStatus(StrEnum):
    """Where a version of a wijkcontract stands."""

    CONCEPT = "concept"
    SIGNING = "signing"  # ter ondertekening: a coordinator offered it to the parties
    SIGNED = "signed"  # getekend: every required party signed


class ContractVersion(SQLModel, table=True):
    """One version of a wijk's contract for one period: what it said, as sent, and its status.

    `content` is the data the document was made from (requests, answers, afspraken, parties);
    `terms_hash` covers what the parties agree to, so a change to it makes a new version once
    signing has started. `pdf` and `html` are the document as last rendered (with its signatures).
    """

    __table_args__ = (sa.UniqueConstraint("wijk_id", "starts_on", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    starts_on: date
    ends_on: date
    number: int
    status: str = Field(default=ContractStatus.CONCEPT, max_length=20)
    terms_hash: str = Field(max_length=64)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    pdf: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    html: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()
    signing_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    signed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    superseded_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class ContractSignature(SQLModel, table=True):
    """A party's signature on one contract version (one per party)."""

    __table_args__ = (sa.UniqueConstraint("version_id", "party"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="contractversion.id", index=True)
    party: str = Field(max_length=40)  # "org:<id>", "wijkraad" or "coordinator"
    signer: str = Field(max_length=80)  # the member's pseudonym (no link: erasing a person leaves the record)
    name: str | None = Field(default=None, max_length=120)  # the member's display name
    signed_at: datetime = _utc_column()


class WijkBudget(SQLModel, table=True):
    """The money a wijk's residents may spend on initiatives in one period."""

    __table_args__ = (sa.UniqueConstraint("wijk_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    starts_on: date
    ends_on: date
    amount_cents: int = Field(sa_type=sa.BigInteger)
    source: str = Field(max_length=20)  # "config" or "beheer"
    updated_at: datetime = _utc_column()


class GrantDecision(StrEnum):
    """What a coordinator decided on an initiative's budget request."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class BudgetGrant(SQLModel, table=True):
    """A coordinator's decision on one initiative's request for money, against one budget."""

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="wijkbudget.id", index=True)
    request_id: int = Field(foreign_key="request.id", unique=True)
    decision: str = Field(max_length=20)
    requested_cents: int = Field(sa_type=sa.BigInteger)
    granted_cents: int = Field(sa_type=sa.BigInteger)
    motivation: str
    decided_by: str | None = Field(default=None, max_length=120)  # the coordinator's name
    decided_by_actor: str | None = Field(default=None, max_length=80)  # their pseudonym, so erasure finds the name
    decided_at: datetime = _utc_column()


class BudgetSpending(SQLModel, table=True):
    """Money actually spent from a grant."""

    id: int | None = Field(default=None, primary_key=True)
    grant_id: int = Field(foreign_key="budgetgrant.id", index=True)
    amount_cents: int = Field(sa_type=sa.BigInteger)
    what: str
    by_name: str | None = Field(default=None, max_length=120)
    by_actor: str | None = Field(default=None, max_length=80)  # their pseudonym, so erasure finds the name
    at: datetime = _utc_column()


class VoteStatus(StrEnum):
    """Where a prioritisation vote stands."""

    OPEN = "open"
    CLOSED = "closed"


class PriorityVote(SQLModel, table=True):
    """Residents who follow a wijk choose which open requests and initiatives come first."""

    id: int | None = Field(default=None, primary_key=True)
    wijk_id: int = Field(foreign_key="area.id", index=True)
    status: str = Field(default=VoteStatus.OPEN, max_length=20, index=True)
    max_choices: int  # how many options one ballot may choose
    priorities: int  # how many top options become priorities
    group_chat_id: int | None = Field(default=None, sa_type=sa.BigInteger)  # where results go
    started_by: str | None = Field(default=None, max_length=120)  # the member's name
    opened_at: datetime = _utc_column()
    closes_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    closed_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))


class VoteOption(SQLModel, table=True):
    """One request on a vote's ballot, with its result once closed."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "request_id"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="priorityvote.id", index=True)
    request_id: int = Field(foreign_key="request.id", index=True)
    position: int = 0
    votes: int | None = None  # set when the vote closes
    rank: int | None = None


class Ballot(SQLModel, table=True):
    """One resident's choices in one vote (one ballot each; changeable until the vote closes)."""

    __table_args__ = (sa.UniqueConstraint("vote_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="priorityvote.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    request_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cast_at: datetime = _utc_column()
    updated_at: datetime = _utc_column()


class DailyRequestCount(SQLModel, table=True):
    """How many requests one Telegram account filed on one day, under a keyed hash of the account and
    the day (storage/keys.py): erasing the person does not reset the daily limit, and the row
    identifies nobody without the bot token. Pruned after the day."""

    account_day: str = Field(max_length=64, primary_key=True)
    day: date = Field(index=True)
    count: int = 0

"""Wijk budgets: the money a wijk's residents may get for initiatives per period, what is granted and spent.

One `WijkBudget` row per wijk and period (the contract period containing the day). Its amount comes
from /beheer (source "beheer") or, until a coordinator sets one, from the configuration file
(source "config": the wijk's `budget_euros`, else the municipality's `wijk_budget_euros`, else 0).

    initiative (asks an amount) ──grant()──► full / partial / none, with motivation ──record_spending()──► spent

Nobody grants beyond the budget: grant() locks the budget row before adding up what is already
granted, so two coordinators granting at once are served one after the other. Spending never
exceeds the grant (the grant row is locked likewise). Every change leaves an audit row.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from storage.contracts import period_of
from storage.models import (
    Area,
    AuditEntry,
    BudgetGrant,
    BudgetSpending,
    GrantDecision,
    Request,
    RequestKind,
    RequestStatus,
    WijkBudget,
    utcnow,
)
from storage.municipality import municipality_settings
from storage.refusals import Refused

SOURCE_CONFIG = "config"
SOURCE_BEHEER = "beheer"
# Requests that can no longer get money: merged, out of scope or withdrawn.
CLOSED = (RequestStatus.DUPLICATE, RequestStatus.OUT_OF_SCOPE, RequestStatus.WITHDRAWN)
MAX_TEXT = 1000


class BudgetRefused(Refused):
    """A budget action that is not possible; `code` says why (the conversation words it)."""


@dataclass(frozen=True)
class BudgetSummary:
    """Where a wijk's budget stands in one period (amounts in cents)."""

    wijk_id: int
    starts_on: date
    ends_on: date
    budget_cents: int
    source: str
    granted_cents: int
    spent_cents: int
    pending_count: int  # initiatives asking money without a decision yet
    pending_cents: int

    @property
    def available_cents(self) -> int:
        """What can still be granted."""
        return self.budget_cents - self.granted_cents


def euros_to_cents(euros: float) -> int:
    """A configured amount in euros as whole cents."""
    return int((Decimal(str(euros)) * 100).quantize(Decimal(1)))


def configured_cents(session: Session, *, wijk_id: int) -> int:
    """The wijk's budget per period according to the configuration (0 when none is configured)."""
    wijk = session.get(Area, wijk_id)
    own = (wijk.details or {}).get("budget_euros") if wijk is not None else None
    if own is not None:
        return euros_to_cents(own)
    default = municipality_settings(session).wijk_budget_euros
    return euros_to_cents(default) if default is not None else 0


def period(session: Session, *, wijk_id: int, today: date) -> tuple[date, date]:
    """The contract period containing `today` (the municipality's period length)."""
    return period_of(session, wijk_id=wijk_id, today=today,
                     years=municipality_settings(session).contract_period_years)


def _find(session: Session, *, wijk_id: int, starts_on: date, lock: bool) -> WijkBudget | None:
    """The budget row of this wijk and period start, optionally locked for this transaction."""
    query = select(WijkBudget).where(WijkBudget.wijk_id == wijk_id, WijkBudget.starts_on == starts_on)
    return session.exec(query.with_for_update() if lock else query).first()


def _create(session: Session, *, row: WijkBudget) -> None:
    """Insert a budget row; when another transaction just inserted the same one, keep theirs.

    On SQLite writers already take turns (one write transaction at a time), so no savepoint is needed.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.add(row)
        session.flush()
        return
    with contextlib.suppress(IntegrityError), session.begin_nested():  # theirs is found by the caller
        session.add(row)
        session.flush()


def budget_for(session: Session, *, wijk_id: int, today: date, lock: bool = False) -> WijkBudget:
    """The wijk's budget row for the period containing `today`, created or refreshed from the configuration."""
    starts_on, ends_on = period(session, wijk_id=wijk_id, today=today)
    budget = _find(session, wijk_id=wijk_id, starts_on=starts_on, lock=lock)
    if budget is None:
        _create(session, row=WijkBudget(wijk_id=wijk_id, starts_on=starts_on, ends_on=ends_on,
                                        amount_cents=configured_cents(session, wijk_id=wijk_id), source=SOURCE_CONFIG))
        budget = _find(session, wijk_id=wijk_id, starts_on=starts_on, lock=lock)
        assert budget is not None
        return budget
    if budget.source == SOURCE_CONFIG:
        configured = configured_cents(session, wijk_id=wijk_id)
        if budget.amount_cents != configured or budget.ends_on != ends_on:
            budget.amount_cents, budget.ends_on, budget.updated_at = configured, ends_on, utcnow()
            session.add(budget)
            session.flush()
    return budget


def granted_cents(session: Session, *, budget_id: int) -> int:
    """What has been granted from a budget."""
    total = session.exec(select(func.coalesce(func.sum(BudgetGrant.granted_cents), 0))
                         .where(BudgetGrant.budget_id == budget_id)).one()
    return int(total)


def spent_cents(session: Session, *, grant_id: int | None = None, budget_id: int | None = None) -> int:
    """What has been spent from one grant, or from all grants of a budget."""
    query = select(func.coalesce(func.sum(BudgetSpending.amount_cents), 0))
    if grant_id is not None:
        query = query.where(BudgetSpending.grant_id == grant_id)
    else:
        query = query.join(BudgetGrant, BudgetGrant.id == BudgetSpending.grant_id).where(
            BudgetGrant.budget_id == budget_id)
    return int(session.exec(query).one())


def pending_requests(session: Session, *, wijk_id: int) -> list[Request]:
    """The wijk's initiatives that ask money and have no decision yet, oldest first."""
    decided = select(BudgetGrant.request_id)
    return list(session.exec(select(Request).where(
        Request.wijk_id == wijk_id, Request.kind == RequestKind.INITIATIVE,
        col(Request.budget_requested_cents) > 0, col(Request.status).not_in([s.value for s in CLOSED]),
        col(Request.id).not_in(decided)).order_by(Request.id)).all())


def grants_of(session: Session, *, budget_id: int) -> list[tuple[BudgetGrant, Request]]:
    """The decisions on a budget with their requests, in order of decision."""
    rows = session.exec(select(BudgetGrant, Request).join(Request, Request.id == BudgetGrant.request_id)
                        .where(BudgetGrant.budget_id == budget_id).order_by(BudgetGrant.id)).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def grant_of(session: Session, *, request_id: int) -> BudgetGrant | None:
    """The decision on a request's budget, if any."""
    return session.exec(select(BudgetGrant).where(BudgetGrant.request_id == request_id)).first()


def summary(session: Session, *, wijk_id: int, today: date) -> BudgetSummary:
    """The wijk's budget in the period containing `today`: amount, granted, spent, available, pending."""
    budget = budget_for(session, wijk_id=wijk_id, today=today)
    pending = pending_requests(session, wijk_id=wijk_id)
    return BudgetSummary(
        wijk_id=wijk_id, starts_on=budget.starts_on, ends_on=budget.ends_on, budget_cents=budget.amount_cents,
        source=budget.source, granted_cents=granted_cents(session, budget_id=budget.id),
        spent_cents=spent_cents(session, budget_id=budget.id), pending_count=len(pending),
        pending_cents=sum(r.budget_requested_cents or 0 for r in pending))


def set_budget(session: Session, *, wijk_id: int, today: date, amount_cents: int, by: str) -> WijkBudget:
    """A coordinator sets the wijk's budget for the current period; never below what is already granted."""
    if amount_cents < 0:
        raise BudgetRefused("amount_invalid")
    budget = budget_for(session, wijk_id=wijk_id, today=today, lock=True)
    already = granted_cents(session, budget_id=budget.id)
    if amount_cents < already:
        raise BudgetRefused("below_granted", granted_cents=already)
    before = (budget.amount_cents, budget.source)
    budget.amount_cents, budget.source, budget.updated_at = amount_cents, SOURCE_BEHEER, utcnow()
    session.add(budget)
    session.flush()
    session.add(AuditEntry(actor=by, action="budget.set", subject_type="wijk_budget", subject_id=budget.id,
                           details={"wijk_id": wijk_id, "from_cents": before[0], "from_source": before[1],
                                    "to_cents": amount_cents}))
    return budget


def grant(session: Session, *, wijk_id: int, request_id: int, decision: GrantDecision | str, today: date,
          motivation: str, by: str, by_name: str | None = None, amount_cents: int | None = None) -> BudgetGrant:
    """Decide on an initiative's request for money: all, part (`amount_cents`) or none, with a motivation.

    Refused (BudgetRefused, nothing changed) when the motivation is empty, the request is not an open
    initiative of this wijk asking money, it already has a decision, a partial amount is not between
    nothing and what was asked, or the grant would take the wijk beyond its budget.
    """
    decision = GrantDecision(decision)
    motivation = motivation.strip()
    if not motivation:
        raise BudgetRefused("motivation_required")
    if len(motivation) > MAX_TEXT:
        raise BudgetRefused("text_too_long")
    budget = budget_for(session, wijk_id=wijk_id, today=today, lock=True)  # one coordinator at a time
    request = session.exec(select(Request).where(Request.id == request_id).with_for_update()).first()
    if (request is None or request.wijk_id != wijk_id or request.kind != RequestKind.INITIATIVE
            or request.status in CLOSED):
        raise BudgetRefused("not_initiative")
    requested = request.budget_requested_cents or 0
    if requested <= 0:
        raise BudgetRefused("nothing_requested")
    if grant_of(session, request_id=request_id) is not None:
        raise BudgetRefused("already_decided")
    if decision == GrantDecision.FULL:
        amount = requested
    elif decision == GrantDecision.NONE:
        amount = 0
    else:
        if amount_cents is None or not 0 < amount_cents < requested:
            raise BudgetRefused("partial_amount", requested_cents=requested)
        amount = amount_cents
    available = budget.amount_cents - granted_cents(session, budget_id=budget.id)
    if amount > available:
        raise BudgetRefused("beyond_budget", available_cents=max(available, 0), budget_cents=budget.amount_cents)
    row = BudgetGrant(budget_id=budget.id, request_id=request_id, decision=decision.value, requested_cents=requested,
                      granted_cents=amount, motivation=motivation, decided_by=by_name,
                      decided_by_actor=by)
    session.add(row)
    session.flush()
    session.add(AuditEntry(actor=by, action="budget.grant", subject_type="request", subject_id=request_id,
                           details={"decision": decision.value, "requested_cents": requested,
                                    "granted_cents": amount, "budget_id": budget.id}))
    return row


def lock_grant(session: Session, *, grant_id: int) -> BudgetGrant | None:
    """A grant, locked for this transaction."""
    return session.exec(select(BudgetGrant).where(BudgetGrant.id == grant_id).with_for_update()).first()


def record_spending(session: Session, *, grant_id: int, amount_cents: int, what: str, by: str,
                    by_name: str | None = None) -> BudgetSpending:
    """Book money spent from a grant; refused beyond what was granted and not yet spent."""
    what = what.strip()
    if not what:
        raise BudgetRefused("what_required")
    if len(what) > MAX_TEXT:
        raise BudgetRefused("text_too_long")
    if amount_cents <= 0:
        raise BudgetRefused("amount_invalid")
    row = lock_grant(session, grant_id=grant_id)
    if row is None or row.granted_cents <= 0:
        raise BudgetRefused("no_grant")
    left = row.granted_cents - spent_cents(session, grant_id=grant_id)
    if amount_cents > left:
        raise BudgetRefused("beyond_grant", left_cents=max(left, 0))
    spending = BudgetSpending(grant_id=grant_id, amount_cents=amount_cents, what=what, by_name=by_name,
                              by_actor=by)
    session.add(spending)
    session.flush()
    session.add(AuditEntry(actor=by, action="budget.spend", subject_type="request", subject_id=row.request_id,
                           details={"grant_id": grant_id, "amount_cents": amount_cents}))
    return spending


def spendable_grants(session: Session, *, wijk_id: int, today: date) -> list[tuple[BudgetGrant, Request, int]]:
    """Grants of the wijk's current budget with money left: (grant, request, cents left)."""
    budget = budget_for(session, wijk_id=wijk_id, today=today)
    found = []
    for row, request in grants_of(session, budget_id=budget.id):
        left = row.granted_cents - spent_cents(session, grant_id=row.id)
        if left > 0:
            found.append((row, request, left))
    return found


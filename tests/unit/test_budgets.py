"""Wijk budgets: grants all, part or none within the budget, spending within the grant, amounts from the configuration."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, func, select

from storage.budgets import (
    BudgetRefused,
    budget_for,
    grant,
    pending_requests,
    record_spending,
    set_budget,
    summary,
)
from storage.config import ConfigError, parse_config
from storage.db import Database
from storage.models import (
    Area,
    AuditEntry,
    BudgetGrant,
    BudgetSpending,
    GrantDecision,
    Person,
    RequestKind,
    Theme,
    WijkBudget,
)
from storage.municipality import example_config, load_municipality
from storage.requests import NewRequest, file_request

TODAY = date(2027, 4, 12)
LEIDSEBUURT, BOERHAAVEWIJK = "zuid-west-leidsebuurt", "schalkwijk-boerhaavewijk"
BY = "coordinator-pseudonym"


@dataclass
class World:
    wijk: int
    other: int
    initiatives: list[int]  # asking 800, 300 and 1,200 euros
    wish: int
    elsewhere: int  # an initiative of the other wijk


def _wijk(session: Session, code: str) -> Area:
    return session.exec(select(Area).where(Area.code == code)).one()


def _config(default: float | None = 50000, overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """The Haarlem example with a default budget and per-wijk overrides."""
    config = copy.deepcopy(example_config())
    config["municipality"].pop("wijk_budget_euros", None)
    if default is not None:
        config["municipality"]["wijk_budget_euros"] = default
    for district in config["districts"]:
        for wijk in district["wijken"]:
            wijk.pop("budget_euros", None)
            if overrides and wijk["code"] in overrides:
                wijk["budget_euros"] = overrides[wijk["code"]]
    return config


def _file(session: Session, resident: Person, wijk_id: int, *, kind: RequestKind = RequestKind.INITIATIVE,
          euros: int | None = None) -> int:
    theme = session.exec(select(Theme)).first()
    assert theme is not None
    request = file_request(session, resident=resident, new=NewRequest(
        wijk_id=wijk_id, kind=kind, theme_id=theme.id, text="Wij organiseren een buurtfeest op het plein.",
        own_contribution="Wij doen de hapjes" if kind == RequestKind.INITIATIVE else None,
        budget_requested_cents=euros * 100 if euros is not None else None))
    return request.id  # type: ignore[return-value]


def _build(session: Session) -> World:
    load_municipality(session, config=_config())
    wijk, other = _wijk(session, LEIDSEBUURT), _wijk(session, BOERHAAVEWIJK)
    resident = Person(telegram_id=501, language="nl")
    session.add(resident)
    session.flush()
    initiatives = [_file(session, resident, wijk.id, euros=euros) for euros in (800, 300, 1200)]
    wish = _file(session, resident, wijk.id, kind=RequestKind.WISH)
    elsewhere = _file(session, resident, other.id, euros=100)
    set_budget(session, wijk_id=wijk.id, today=TODAY, amount_cents=1000_00, by=BY)
    return World(wijk=wijk.id, other=other.id, initiatives=initiatives, wish=wish, elsewhere=elsewhere)


@pytest.fixture
def world(db: Database) -> tuple[Database, World]:
    with db.transaction_sync() as session:
        built = _build(session)
    return db, built


def _counts(session: Session) -> tuple[int, int, int]:
    return (session.exec(select(func.count()).select_from(BudgetGrant)).one(),
            session.exec(select(func.count()).select_from(BudgetSpending)).one(),
            session.exec(select(func.count()).select_from(AuditEntry)).one())


def _refused(session: Session, code: str, **kwargs: Any) -> BudgetRefused:
    """Call grant() and expect a refusal that changes nothing."""
    before = _counts(session)
    with pytest.raises(BudgetRefused) as caught:
        grant(session, today=TODAY, by=BY, **kwargs)
    assert caught.value.code == code
    assert _counts(session) == before
    return caught.value


def test_a_grant_beyond_the_budget_is_refused_and_changes_nothing(world: tuple[Database, World]) -> None:
    db, w = world
    first, second, _third = w.initiatives
    with db.transaction_sync() as session:
        grant(session, wijk_id=w.wijk, request_id=first, decision=GrantDecision.FULL, today=TODAY,
              motivation="Goed voor de buurt.", by=BY, by_name="Cora")
        refusal = _refused(session, "beyond_budget", wijk_id=w.wijk, request_id=second, decision="full",
                           motivation="Ook goed.")
        assert refusal.details["available_cents"] == 200_00
        assert [r.id for r in pending_requests(session, wijk_id=w.wijk)] == [second, w.initiatives[2]]
    with db.read() as session:
        state = summary(session, wijk_id=w.wijk, today=TODAY)
        assert (state.budget_cents, state.granted_cents, state.available_cents) == (1000_00, 800_00, 200_00)
        assert (state.pending_count, state.pending_cents) == (2, 1500_00)
        assert session.exec(select(BudgetGrant).where(BudgetGrant.request_id == second)).first() is None


def test_partial_grant_between_nothing_and_the_request(world: tuple[Database, World]) -> None:
    db, w = world
    big = w.initiatives[2]  # asks 1,200 of a budget of 1,000
    with db.transaction_sync() as session:
        _refused(session, "beyond_budget", wijk_id=w.wijk, request_id=big, decision="full", motivation="Alles.")
        for amount in (1200_00, 1300_00, 0, -5):
            _refused(session, "partial_amount", wijk_id=w.wijk, request_id=big, decision="partial",
                     amount_cents=amount, motivation="Een deel.")
        _refused(session, "partial_amount", wijk_id=w.wijk, request_id=big, decision="partial", motivation="Een deel.")
        row = grant(session, wijk_id=w.wijk, request_id=big, decision=GrantDecision.PARTIAL, amount_cents=450_50,
                    today=TODAY, motivation="De rest betaalt de corporatie.", by=BY, by_name="Cora")
        assert (row.decision, row.requested_cents, row.granted_cents) == ("partial", 1200_00, 450_50)
        assert row.motivation == "De rest betaalt de corporatie." and row.decided_by == "Cora"
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "budget.grant")).one()
        assert audit.actor == BY and audit.details["granted_cents"] == 450_50
    with db.read() as session:
        assert summary(session, wijk_id=w.wijk, today=TODAY).available_cents == 549_50


def test_none_needs_a_motivation_and_grants_nothing(world: tuple[Database, World]) -> None:
    db, w = world
    first = w.initiatives[0]
    with db.transaction_sync() as session:
        _refused(session, "motivation_required", wijk_id=w.wijk, request_id=first, decision="none", motivation="  ")
        row = grant(session, wijk_id=w.wijk, request_id=first, decision="none", today=TODAY,
                    motivation="Hier is al geld voor uit het reguliere budget.", by=BY)
        assert (row.decision, row.granted_cents) == ("none", 0)
        with pytest.raises(BudgetRefused) as caught:
            record_spending(session, grant_id=row.id, amount_cents=10_00, what="Verf", by=BY)
        assert caught.value.code == "no_grant"
    with db.read() as session:
        state = summary(session, wijk_id=w.wijk, today=TODAY)
        assert (state.granted_cents, state.pending_count) == (0, 2)


def test_one_decision_per_initiative_of_that_wijk(world: tuple[Database, World]) -> None:
    db, w = world
    first, second, _third = w.initiatives
    with db.transaction_sync() as session:
        grant(session, wijk_id=w.wijk, request_id=first, decision="full", today=TODAY, motivation="Ja.", by=BY)
        _refused(session, "already_decided", wijk_id=w.wijk, request_id=first, decision="none", motivation="Toch niet.")
        _refused(session, "not_initiative", wijk_id=w.wijk, request_id=w.wish, decision="none", motivation="Nee.")
        _refused(session, "not_initiative", wijk_id=w.wijk, request_id=w.elsewhere, decision="full", motivation="Ja.")
        _refused(session, "not_initiative", wijk_id=w.wijk, request_id=999_999, decision="full", motivation="Ja.")
        grant(session, wijk_id=w.wijk, request_id=second, decision="partial", amount_cents=100_00, today=TODAY,
              motivation="Een deel.", by=BY)
    with db.read() as session:
        state = summary(session, wijk_id=w.wijk, today=TODAY)
        assert (state.granted_cents, state.available_cents, state.pending_count) == (900_00, 100_00, 1)


def test_spending_stays_within_the_grant(world: tuple[Database, World]) -> None:
    db, w = world
    with db.transaction_sync() as session:
        row = grant(session, wijk_id=w.wijk, request_id=w.initiatives[1], decision="full", today=TODAY,
                    motivation="Ja.", by=BY)
        record_spending(session, grant_id=row.id, amount_cents=120_00, what="Tafels gehuurd", by=BY, by_name="Cora")
        before = _counts(session)
        for amount, what, code in ((180_01, "Muziek", "beyond_grant"), (0, "Niets", "amount_invalid"),
                                   (10_00, " ", "what_required")):
            with pytest.raises(BudgetRefused) as caught:
                record_spending(session, grant_id=row.id, amount_cents=amount, what=what, by=BY)
            assert caught.value.code == code
        assert _counts(session) == before
        record_spending(session, grant_id=row.id, amount_cents=180_00, what="Muziek", by=BY)
    with db.read() as session:
        state = summary(session, wijk_id=w.wijk, today=TODAY)
        assert (state.granted_cents, state.spent_cents) == (300_00, 300_00)


def test_set_budget_never_below_what_is_granted(world: tuple[Database, World]) -> None:
    db, w = world
    with db.transaction_sync() as session:
        grant(session, wijk_id=w.wijk, request_id=w.initiatives[0], decision="full", today=TODAY,
              motivation="Ja.", by=BY)
        with pytest.raises(BudgetRefused) as caught:
            set_budget(session, wijk_id=w.wijk, today=TODAY, amount_cents=799_99, by=BY)
        assert caught.value.code == "below_granted" and caught.value.details["granted_cents"] == 800_00
        set_budget(session, wijk_id=w.wijk, today=TODAY, amount_cents=800_00, by=BY)
    with db.read() as session:
        state = summary(session, wijk_id=w.wijk, today=TODAY)
        assert (state.budget_cents, state.source, state.available_cents) == (800_00, "beheer", 0)


def test_amounts_come_from_the_configuration_until_a_coordinator_sets_one(db: Database) -> None:
    with db.transaction_sync() as session:
        load_municipality(session, config=_config(50000, {BOERHAAVEWIJK: 1250.5}))
        wijk, other = _wijk(session, LEIDSEBUURT).id, _wijk(session, BOERHAAVEWIJK).id
        first = summary(session, wijk_id=wijk, today=TODAY)
        assert (first.budget_cents, first.source) == (50000_00, "config")
        assert (first.starts_on, first.ends_on) == (date(2027, 1, 1), date(2027, 12, 31))
        assert summary(session, wijk_id=other, today=TODAY).budget_cents == 1250_50
    # The file changes: config-sourced budgets follow it; one set in /beheer stays.
    with db.transaction_sync() as session:
        set_budget(session, wijk_id=other, today=TODAY, amount_cents=2000_00, by=BY)
        load_municipality(session, config=_config(40000, {BOERHAAVEWIJK: 900}))
        assert summary(session, wijk_id=wijk, today=TODAY).budget_cents == 40000_00
        assert summary(session, wijk_id=other, today=TODAY).budget_cents == 2000_00
        # Without any budget in the file a wijk has nothing to grant; a new period gets a row of its own.
        load_municipality(session, config=_config(None))
        assert summary(session, wijk_id=wijk, today=TODAY).budget_cents == 0
        assert budget_for(session, wijk_id=wijk, today=date(2028, 2, 1)).starts_on == date(2028, 1, 1)
        assert len(session.exec(select(WijkBudget).where(WijkBudget.wijk_id == wijk)).all()) == 2


def test_two_coordinators_granting_at_once_never_exceed_the_budget(world: tuple[Database, World]) -> None:
    db, w = world
    first, second, _third = w.initiatives  # 800 + 300 > 1,000: only one of them fits
    # On SQLite writers take turns (one write transaction at a time); on PostgreSQL they really overlap.
    together = db.engine.dialect.name != "sqlite"
    barrier, outcomes = threading.Barrier(2 if together else 1), []

    def decide(request_id: int) -> None:
        try:
            with db.transaction_sync() as session:
                barrier.wait(timeout=5)  # both are inside their transaction before either grants
                grant(session, wijk_id=w.wijk, request_id=request_id, decision="full", today=TODAY,
                      motivation="Ja.", by=BY)
            outcomes.append("granted")
        except BudgetRefused as refusal:
            outcomes.append(refusal.code)

    threads = [threading.Thread(target=decide, args=(r,)) for r in (first, second)]
    for thread in threads:
        thread.start()
        if not together:
            thread.join()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["beyond_budget", "granted"]
    with db.read() as session:
        assert summary(session, wijk_id=w.wijk, today=TODAY).granted_cents <= 1000_00


def test_the_file_names_every_wrong_budget_with_its_key_path(tmp_path: Path) -> None:
    text = ('[municipality]\ncode = "dorp"\nname = "Dorp"\nwijk_budget_euros = -5\n\n'
            '[[districts]]\ncode = "kern"\nname = "Kern"\n\n'
            '[[districts.wijken]]\ncode = "noord"\nname = "Noord"\nbudget_euros = "veel"\n\n'
            '[[districts.wijken]]\ncode = "zuid"\nname = "Zuid"\nbudget_euros = 12500.5\n')
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source="dorp.toml", base_dir=tmp_path)
    assert caught.value.problems == [
        "dorp.toml: municipality.wijk_budget_euros: should be greater than or equal to 0",
        "dorp.toml: districts[0].wijken[0].budget_euros: should be a number (without quotes), e.g. 50000",
    ]
    config = parse_config(text.replace("-5", "0").replace('"veel"', "1000"), source="dorp.toml", base_dir=tmp_path)
    assert config.municipality.wijk_budget_euros == 0
    assert [w.budget_euros for _d, w in config.wijken()] == [1000, 12500.5]

"""/budget through the playground: a coordinator grants part of an initiative, the resident hears it in
their language, grants beyond the budget are refused kindly, and nobody else can press the buttons."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, func, select

from storage.groups import link_group
from storage.models import (
    Area,
    AuditEntry,
    BudgetGrant,
    BudgetSpending,
    MembershipRole,
    Person,
    RequestKind,
    Theme,
    WijkBudget,
)
from storage.requests import NewRequest, file_request
from storage.roles import grant
from tests.harness import Harness, last_with_buttons, person, texts

CORA, RITA, WIM, STAN, BEA = (person(9001, name="Cora"), person(9002, "en", "Rita"), person(9003, name="Wim"),
                              person(9004, name="Stan"), person(9005, name="Bea"))
GROUP = {"id": -9100, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}
LEIDSEBUURT, BOERHAAVEWIJK = "zuid-west-leidsebuurt", "schalkwijk-boerhaavewijk"


@dataclass
class Budgeted:
    wijk: int
    benches: int  # Rita's initiative asking EUR 30,000
    benches_ref: str
    party: int  # Rita's initiative asking EUR 40,000
    party_ref: str


def _file(session: Session, resident: Person, wijk_id: int, text: str, euros: int) -> tuple[int, str]:
    theme = session.exec(select(Theme)).first()
    assert theme is not None
    request = file_request(session, resident=resident, new=NewRequest(
        wijk_id=wijk_id, kind=RequestKind.INITIATIVE, theme_id=theme.id, text=text,
        own_contribution="We plan and paint it ourselves", volunteers_needed=6, budget_requested_cents=euros * 100))
    return request.id, request.reference  # type: ignore[return-value]


@pytest.fixture
async def budgeted(bot: Harness) -> tuple[Harness, Budgeted]:
    """Leidsebuurt (EUR 50,000 from the Haarlem example), its coordinator Cora, and two of Rita's initiatives."""
    for user in (CORA, RITA, WIM, STAN, BEA):
        await bot.say(user, "/start")
    with bot.db.transaction_sync() as session:
        wijk = session.exec(select(Area).where(Area.code == LEIDSEBUURT)).one()
        other = session.exec(select(Area).where(Area.code == BOERHAAVEWIJK)).one()
        people = {p.telegram_id: p for p in session.exec(select(Person)).all()}
        grant(session, person=people[CORA["id"]], role=MembershipRole.COORDINATOR, area_id=wijk.id,
              display_name="Cora")
        grant(session, person=people[BEA["id"]], role=MembershipRole.COORDINATOR, area_id=other.id,
              display_name="Bea")
        grant(session, person=people[WIM["id"]], role=MembershipRole.WIJKRAAD, area_id=wijk.id, display_name="Wim")
        link_group(session, chat_id=GROUP["id"], title=GROUP["title"], by=people[WIM["id"]], area_id=wijk.id)
        rita = people[RITA["id"]]
        assert rita.language == "en"
        benches = _file(session, rita, wijk.id, "Six new benches along the Leidsevaart for the elderly.", 30000)
        party = _file(session, rita, wijk.id, "A street party with music for the whole neighbourhood.", 40000)
        world = Budgeted(wijk=wijk.id, benches=benches[0], benches_ref=benches[1], party=party[0], party_ref=party[1])
    await bot.say(WIM, "/wachtrij", chat=GROUP)  # the group exists in the playground
    for chat in (CORA["id"], RITA["id"], GROUP["id"]):
        await bot.new_messages(chat)  # start from here
    return bot, world


def plain(text: str) -> str:
    """Text with the non-breaking spaces of formatted amounts made ordinary."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def stored(bot: Harness) -> tuple[list[BudgetGrant], int, int]:
    """Every grant, the number of spendings and of budget audit rows."""
    with bot.db.read() as session:
        grants = list(session.exec(select(BudgetGrant).order_by(BudgetGrant.id)).all())
        spendings = session.exec(select(func.count()).select_from(BudgetSpending)).one()
        audits = session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.startswith("budget."))).one()
    return grants, spendings, audits


async def test_a_coordinator_grants_part_and_the_resident_hears_it_in_english(
        budgeted: tuple[Harness, Budgeted]) -> None:
    bot, w = budgeted
    overview = await bot.say(CORA, "/budget")
    text = plain(texts(overview))
    assert "Wijkbudget Leidsebuurt" in text and "Budget: € 50.000,00" in text
    assert "Nog beschikbaar: € 50.000,00" in text and "2, samen € 70.000,00" in text
    assert w.benches_ref in text and w.party_ref in text

    shown = await bot.press(CORA, last_with_buttons(overview), f"budget:request:{w.benches}")
    assert "Six new benches" in texts(shown) and "€ 30.000,00" in plain(texts(shown))
    asked = await bot.press(CORA, last_with_buttons(shown), "Deel toekennen")
    assert "Hoeveel ken je toe?" in texts(asked)
    for wrong in ("veel", "30.000", "0"):
        assert "Typ een bedrag tussen nul en de gevraagde" in texts(await bot.say(CORA, wrong))
    assert "motivatie" in texts(await bot.say(CORA, "20.000,50"))
    assert "Typ een motivatie" in texts(await bot.say(CORA, "Ja"))
    preview = await bot.say(CORA, "De corporatie betaalt de rest van de bankjes.")
    assert "Toegekend: € 20.000,50 van de gevraagde € 30.000,00" in plain(texts(preview))
    assert stored(bot)[0] == []  # nothing until confirmed

    done = await bot.press(CORA, last_with_buttons(preview), "Besluit opslaan")
    assert "Opgeslagen: € 20.000,50" in plain(texts(done)) and "Nog beschikbaar: € 29.999,50" in plain(texts(done))
    [row], _spendings, _audits = stored(bot)
    again = await bot.press(CORA, last_with_buttons(shown), "Alles toekennen")  # an old button
    assert "al besloten" in texts(again) and len(stored(bot)[0]) == 1
    assert (row.request_id, row.decision, row.granted_cents, row.requested_cents, row.decided_by) == (
        w.benches, "partial", 20000_50, 30000_00, "Cora")

    # Rita reads it in English, with the amount and the motivation; the wijkraad group gets a line.
    told = plain(texts(await bot.new_messages(RITA["id"])))
    assert f"your initiative {w.benches_ref}" in told
    assert "€20,000.50" in told and "€30,000.00" in told
    assert "De corporatie betaalt de rest van de bankjes." in told
    group = plain(texts(await bot.new_messages(GROUP["id"])))
    assert w.benches_ref in group and "€ 20.000,50" in group and "Nog beschikbaar: € 29.999,50" in group

    # The initiative left the pending list; spending is booked against the grant, never beyond it.
    overview = await bot.say(CORA, "/budget")
    assert f"budget:request:{w.benches}" not in str(last_with_buttons(overview)["reply_markup"])
    asked = await bot.press(CORA, last_with_buttons(overview), "Uitgave boeken")
    assert "nog € 20.000,50 over" in plain(texts(asked))
    refused = await bot.say(CORA, "25.000")
    assert "meer dan er van de toekenning over is" in texts(refused)
    assert "Waaraan" in texts(await bot.say(CORA, "1.500"))
    booked = await bot.say(CORA, "Zes bankjes besteld")
    assert "Geboekt: € 1.500,00" in plain(texts(booked)) and "Nog over van de toekenning: € 18.500,50" in plain(texts(booked))
    with bot.db.read() as session:
        [spending] = session.exec(select(BudgetSpending)).all()
        assert (spending.grant_id, spending.amount_cents, spending.what) == (row.id, 1500_00, "Zes bankjes besteld")


async def test_a_grant_beyond_the_budget_is_refused_kindly_and_stores_nothing(
        budgeted: tuple[Harness, Budgeted]) -> None:
    bot, w = budgeted
    overview = await bot.say(CORA, "/budget")
    shown = await bot.press(CORA, last_with_buttons(overview), f"budget:request:{w.benches}")
    await bot.press(CORA, last_with_buttons(shown), "Alles toekennen")
    preview = await bot.say(CORA, "Hard nodig voor de ouderen.")
    await bot.press(CORA, last_with_buttons(preview), "Besluit opslaan")
    before = stored(bot)
    assert [g.granted_cents for g in before[0]] == [30000_00]

    # All of the EUR 40,000 party does not fit in the EUR 20,000 left, nor does a part of 35,000.
    overview = await bot.say(CORA, "/budget")
    shown = await bot.press(CORA, last_with_buttons(overview), f"budget:request:{w.party}")
    refused = await bot.press(CORA, last_with_buttons(shown), "Alles toekennen")
    assert "past niet meer in het wijkbudget: er is nog € 20.000,00 beschikbaar" in plain(texts(refused))
    await bot.press(CORA, last_with_buttons(shown), "Deel toekennen")
    refused = await bot.say(CORA, "35000")
    assert "past niet meer in het wijkbudget" in texts(refused)
    assert stored(bot) == before

    # A part that fits now, but the budget is lowered in /beheer before the coordinator confirms.
    await bot.say(CORA, "15000")
    preview = await bot.say(CORA, "Een deel voor de muziek.")
    menu = await bot.say(CORA, "/beheer")
    listed = await bot.press(CORA, last_with_buttons(menu), "admin:budgets")
    assert "Leidsebuurt: € 50.000,00, waarvan € 30.000,00 toegekend" in plain(texts(listed))
    await bot.press(CORA, last_with_buttons(listed), "Budget instellen: Leidsebuurt")
    assert "minstens" in texts(await bot.say(CORA, "10.000"))
    assert "is nu € 40.000,00" in plain(texts(await bot.say(CORA, "40.000")))
    with bot.db.read() as session:
        budget = session.exec(select(WijkBudget).where(WijkBudget.wijk_id == w.wijk)).one()
        assert (budget.amount_cents, budget.source) == (40000_00, "beheer")
    refused = await bot.press(CORA, last_with_buttons(preview), "Besluit opslaan")
    assert "past niet meer in het wijkbudget: er is nog € 10.000,00 beschikbaar" in plain(texts(refused))
    grants, spendings, audits = stored(bot)
    assert (grants, spendings, audits) == (before[0], before[1], before[2] + 1)  # only the budget.set
    told = texts(await bot.new_messages(RITA["id"]))
    assert w.benches_ref in told and w.party_ref not in told  # the first decision reached her, nothing else


async def test_strangers_residents_and_other_coordinators_are_refused(budgeted: tuple[Harness, Budgeted]) -> None:
    bot, w = budgeted
    for intruder, refusal in ((STAN, "/budget is er voor coördinatoren"), (RITA, "/budget is for coordinators"),
                              (WIM, "/budget is er voor coördinatoren")):
        assert refusal in texts(await bot.say(intruder, "/budget"))
    overview = await bot.say(CORA, "/budget")
    message = last_with_buttons(overview)
    for intruder in (STAN, RITA, WIM, BEA):
        for data in (f"budget:request:{w.benches}", f"budget:decide:{w.benches}:full", f"budget:wijk:{w.wijk}",
                     f"admin:budget:{w.wijk}"):
            answer = await bot.press_data(intruder, CORA["id"], message["message_id"], data)
            assert answer["show_alert"], (intruder["first_name"], data)
    # Bea coordinates another wijk: her /budget shows hers, and Leidsebuurt's initiatives are not in it.
    text = texts(await bot.say(BEA, "/budget"))
    assert "Boerhaavewijk" in text and w.benches_ref not in text
    grants, spendings, audits = stored(bot)
    assert (grants, spendings, audits) == ([], 0, 0)

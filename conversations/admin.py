"""/beheer: a coordinator manages members, invitations, intake rounds and contract periods.

Every button is checked again against the database: the presser must coordinate the wijk
(or the organisation's wijken) the button is about, whatever the callback data says.

    /beheer ─► menu ─┬─ Leden ─────────► members per wijk/organisation ─► Intrekken ─► confirm ─► revoked
                     ├─ Uitnodigen ────► wijkraad (pick wijk) / partner (pick organisation) ─► deep link
                     ├─ Intakerondes ──► per wijk: open / close
                     ├─ Contractperiode ► per wijk: start a new period today
                     └─ Wijkbudget ────► per wijk: the budget of this period ─► ASKING_BUDGET (typed amount) ─► set
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import WijkContext
from bot.i18n import _, fmt_date, fmt_euros
from conversations.buttons import (
    AdminBudget,
    AdminBudgets,
    AdminInvite,
    AdminInvitePartner,
    AdminInviteRole,
    AdminInviteWijkraad,
    AdminMembers,
    AdminMenu,
    AdminPeriods,
    AdminPeriodStart,
    AdminRevoke,
    AdminRevokeConfirm,
    AdminRounds,
    AdminRoundToggle,
    Button,
)
from conversations.dialog import END, Dialog
from conversations.intake import parse_euros
from conversations.keyboards import in_rows, inline
from storage.budgets import BudgetRefused, set_budget, summary
from storage.invitations import create_invitation_for_message
from storage.models import (
    Area,
    ContractPeriod,
    IntakeRound,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationWijk,
    utcnow,
)
from storage.municipality import municipality_settings
from storage.outbox import send_message
from storage.people import pseudonym
from storage.roles import coordinated_wijken, coordinates, describe, revoke


def _menu():  # type: ignore[no-untyped-def]
    """The main menu."""
    return inline([[(_("👥 Leden"), AdminMembers()), (_("✉️ Uitnodigen"), AdminInvite())],
                   [(_("📥 Intakerondes"), AdminRounds()), (_("📄 Contractperiode"), AdminPeriods())],
                   [(_("💶 Wijkbudget"), AdminBudgets())]])


def _scope(context: WijkContext) -> list[Area]:
    """The wijken this person coordinates."""
    return coordinated_wijken(context.db, person=context.person)


def _organisations(context: WijkContext, wijken: list[Area]) -> list[Organisation]:
    """Organisations serving any of these wijken."""
    ids = [w.id for w in wijken]
    if not ids:
        return []
    serving = select(OrganisationWijk.organisation_id).where(OrganisationWijk.wijk_id.in_(ids))
    return list(context.db.exec(  # no DISTINCT over the JSON column: PostgreSQL cannot compare json
        select(Organisation).where(Organisation.id.in_(serving), Organisation.active).order_by(Organisation.name)
    ).all())


def _refuse(context: WijkContext) -> None:
    """Not a coordinator (any more): say so, change nothing."""
    if context.incoming.callback_query:
        context.answer(_("Dit kan alleen een coördinator van deze wijk."), alert=True)
    else:
        context.reply(_("/beheer is er voor coördinatoren. Heb je een uitnodiging gekregen? Open dan die link."))


async def menu(update: Update, context: WijkContext) -> None:
    """/beheer, or the menu button."""
    if not _scope(context):
        _refuse(context)
        return
    context.answer()
    context.reply(_("<b>Beheer</b>\nWat wil je doen?"), _menu())


async def members(update: Update, context: WijkContext) -> None:
    """Members per wijk and organisation, each with a revoke button."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    organisations = _organisations(context, wijken)
    rows = context.db.exec(select(Membership).where(Membership.revoked_at.is_(None)).order_by(Membership.id)).all()
    visible = [m for m in rows if (m.area_id in {w.id for w in wijken} and m.role == MembershipRole.WIJKRAAD)
               or (m.organisation_id in {o.id for o in organisations})]
    if not visible:
        context.reply(_("Er zijn nog geen leden. Nodig ze uit via ✉️ Uitnodigen."), _menu())
        return
    lines, buttons = [_("<b>Leden</b>")], []
    for membership in visible:
        name = membership.display_name or _("lid {number}").format(number=membership.id)
        where = describe(context.db, membership=membership)
        lines.append(f"• {html.escape(name)} – {html.escape(where)}")
        buttons.append([(_("Intrekken: {name}").format(name=name[:40]), AdminRevoke(membership.id))])
    context.reply("\n".join(lines), inline(buttons))


def _may_manage(context: WijkContext, membership: Membership) -> bool:
    """Whether the presser coordinates the membership's wijk or one of the organisation's wijken."""
    if membership.area_id is not None:
        return coordinates(context.db, person=context.person, area_id=membership.area_id)
    served = context.db.exec(select(OrganisationWijk.wijk_id).where(
        OrganisationWijk.organisation_id == membership.organisation_id)).all()
    return any(coordinates(context.db, person=context.person, area_id=wijk_id) for wijk_id in served)


async def revoke_pressed(update: Update, context: WijkContext) -> None:
    """Ask to confirm a revocation."""
    membership = _membership_from(update, context, AdminRevoke)
    if membership is None:
        return
    context.answer()
    name = membership.display_name or _("lid {number}").format(number=membership.id)
    context.reply(_("Lidmaatschap van {name} ({where}) intrekken? Die persoon kan dan meteen niets meer in "
                    "die rol.").format(name=html.escape(name),
                                       where=html.escape(describe(context.db, membership=membership))),
                  inline([[(_("Ja, intrekken"), AdminRevokeConfirm(membership.id)), (_("Nee"), AdminMenu())]]))


async def revoke_confirmed(update: Update, context: WijkContext) -> None:
    """Revoke now."""
    membership = _membership_from(update, context, AdminRevokeConfirm)
    if membership is None:
        return
    revoke(context.db, membership=membership, by=pseudonym(context.person))
    context.answer()
    context.edit_markup()
    context.reply(_("Ingetrokken. Die persoon kan niets meer in die rol."), _menu())


def _membership_from(update: Update, context: WijkContext,
                     kind: type[AdminRevoke | AdminRevokeConfirm]) -> Membership | None:
    """The active membership named in the pressed button of this kind, if the presser may manage it."""
    pressed = kind.parse(update.callback_query.data)
    membership = context.db.get(Membership, pressed.membership_id) if pressed is not None else None
    if membership is None or membership.revoked_at is not None:
        context.answer(_("Dit lidmaatschap bestaat niet meer."), alert=True)
        return None
    if not _may_manage(context, membership):
        _refuse(context)
        return None
    return membership


async def invite(update: Update, context: WijkContext) -> None:
    """Which role to invite for."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    context.reply(_("Wie wil je uitnodigen?"),
                  inline([[(_("Een wijkraadlid"), AdminInviteRole("wijkraad")), (_("Een partner"), AdminInviteRole("partner"))]]))


async def invite_role(update: Update, context: WijkContext) -> None:
    """Pick the wijk or organisation."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    pressed = AdminInviteRole.parse(update.callback_query.data)
    buttons: list[tuple[str, Button]]
    if pressed is not None and pressed.role == "wijkraad":
        buttons = [(wijk.name, AdminInviteWijkraad(wijk.id)) for wijk in wijken]
        context.reply(_("Voor de wijkraad van welke wijk?"), inline(in_rows(buttons)))
    else:
        buttons = [(organisation.name, AdminInvitePartner(organisation.id))
                   for organisation in _organisations(context, wijken)]
        if not buttons:
            context.reply(_("Er zijn nog geen partnerorganisaties voor jouw wijken."))
            return
        context.reply(_("Voor welke organisatie?"), inline([[button] for button in buttons]))


async def invite_create(update: Update, context: WijkContext) -> None:
    """Make a single-use invitation and show its link."""
    for_wijkraad = AdminInviteWijkraad.parse(update.callback_query.data)
    for_partner = AdminInvitePartner.parse(update.callback_query.data)
    target_id = (for_wijkraad.wijk_id if for_wijkraad is not None
                 else for_partner.organisation_id if for_partner is not None else -1)
    if for_wijkraad is not None:
        allowed = coordinates(context.db, person=context.person, area_id=target_id)
        target = context.db.get(Area, target_id)
        role, area_id, organisation_id = MembershipRole.WIJKRAAD, target_id, None
    else:
        target = context.db.get(Organisation, target_id)
        allowed = target is not None and target in _organisations(context, _scope(context))
        role, area_id, organisation_id = MembershipRole.PARTNER, None, target_id
    if not allowed or target is None:
        _refuse(context)
        return
    context.answer()
    # The token is put in when the message is sent: the outbox keeps only a placeholder (storage/invitations.py).
    payload, nonce = create_invitation_for_message(context.db, role=role, area_id=area_id,
                                                   organisation_id=organisation_id)
    link = f"https://t.me/{context.bot.username}?start={payload}"
    send_message(context.db, chat_id=update.effective_user.id, kind="invitation", invitation_nonce=nonce, text=_(
        "Stuur deze link naar de persoon die je uitnodigt ({where}). Hij werkt één keer en "
        "verloopt over 14 dagen:\n{link}").format(where=html.escape(target.name), link=link))


async def rounds(update: Update, context: WijkContext) -> None:
    """Intake rounds per wijk, with open/close buttons."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    lines, buttons = [_("<b>Intakerondes</b>")], []
    for wijk in wijken:
        current = _open_round(context, wijk.id)
        if current:
            lines.append(_("• {wijk}: open sinds {date}").format(
                wijk=html.escape(wijk.name), date=fmt_date(current.opened_at, context.settings.tz)))
            buttons.append([(_("Sluiten: {wijk}").format(wijk=wijk.name), AdminRoundToggle(wijk.id))])
        else:
            lines.append(_("• {wijk}: gesloten").format(wijk=html.escape(wijk.name)))
            buttons.append([(_("Openen: {wijk}").format(wijk=wijk.name), AdminRoundToggle(wijk.id))])
    context.reply("\n".join(lines), inline(buttons))


def _open_round(context: WijkContext, wijk_id: int) -> IntakeRound | None:
    """The wijk's open intake round, if any."""
    return context.db.exec(select(IntakeRound).where(IntakeRound.wijk_id == wijk_id,
                                                     IntakeRound.closed_at.is_(None))).first()


def _wijk_from_button(update: Update, context: WijkContext,
                      kind: type[AdminRoundToggle | AdminPeriodStart | AdminBudget]) -> Area | None:
    """The wijk named in the pressed button of this kind, if the presser coordinates it (else refused)."""
    pressed = kind.parse(update.callback_query.data)
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if wijk is None or not coordinates(context.db, person=context.person, area_id=wijk.id):
        _refuse(context)
        return None
    return wijk


async def round_toggle(update: Update, context: WijkContext) -> None:
    """Open or close the wijk's intake round."""
    wijk = _wijk_from_button(update, context, AdminRoundToggle)
    if wijk is None:
        return
    context.answer()
    context.edit_markup()
    current = _open_round(context, wijk.id)
    if current:
        current.closed_at = utcnow()
        context.db.add(current)
        context.reply(_("De intakeronde van {wijk} is gesloten.").format(wijk=html.escape(wijk.name)), _menu())
    else:
        context.db.add(IntakeRound(wijk_id=wijk.id))
        context.reply(_("De intakeronde van {wijk} is geopend.").format(wijk=html.escape(wijk.name)), _menu())


async def periods(update: Update, context: WijkContext) -> None:
    """Contract periods per wijk, with a start button."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    lines, buttons = [_("<b>Contractperiodes</b>")], []
    tz = context.settings.tz
    for wijk in wijken:
        period = _latest_period(context, wijk.id)
        if period:
            lines.append(_("• {wijk}: {start} t/m {end}").format(
                wijk=html.escape(wijk.name), start=fmt_date(period.starts_on, tz), end=fmt_date(period.ends_on, tz)))
        else:
            lines.append(_("• {wijk}: nog geen contractperiode").format(wijk=html.escape(wijk.name)))
        buttons.append([(_("Nieuwe periode: {wijk}").format(wijk=wijk.name), AdminPeriodStart(wijk.id))])
    context.reply("\n".join(lines), inline(buttons))


def _latest_period(context: WijkContext, wijk_id: int) -> ContractPeriod | None:
    """The wijk's most recent contract period."""
    return context.db.exec(select(ContractPeriod).where(ContractPeriod.wijk_id == wijk_id)
                           .order_by(ContractPeriod.starts_on.desc())).first()


async def period_start(update: Update, context: WijkContext) -> None:
    """Start a contract period today, as long as the municipality's period length."""
    wijk = _wijk_from_button(update, context, AdminPeriodStart)
    if wijk is None:
        return
    context.answer()
    context.edit_markup()
    tz = context.settings.tz
    today = utcnow().astimezone(tz).date()
    years = municipality_settings(context.db).contract_period_years
    ends = _add_years(today, years) - timedelta(days=1)
    context.db.add(ContractPeriod(wijk_id=wijk.id, starts_on=today, ends_on=ends))
    context.reply(_("Nieuwe contractperiode voor {wijk}: {start} t/m {end}.").format(
        wijk=html.escape(wijk.name), start=fmt_date(today, tz), end=fmt_date(ends, tz)), _menu())


def _add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (1 March for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


async def budgets(update: Update, context: WijkContext) -> None:
    """Each wijk's budget for the current period, with a button to set it."""
    wijken = _scope(context)
    if not wijken:
        _refuse(context)
        return
    context.answer()
    tz = context.settings.tz
    today = utcnow().astimezone(tz).date()
    lines, buttons = [_("<b>Wijkbudget</b> (deze periode)")], []
    for wijk in wijken:
        state = summary(context.db, wijk_id=wijk.id, today=today)
        lines.append(_("• {wijk}: {amount}, waarvan {granted} toegekend ({start} t/m {end})").format(
            wijk=html.escape(wijk.name), amount=fmt_euros(state.budget_cents), granted=fmt_euros(state.granted_cents),
            start=fmt_date(state.starts_on, tz), end=fmt_date(state.ends_on, tz)))
        buttons.append([(_("Budget instellen: {wijk}").format(wijk=wijk.name), AdminBudget(wijk.id))])
    context.reply("\n".join(lines), inline(buttons))


class BudgetState(StrEnum):
    """Steps of setting a wijk's budget in /beheer."""

    ASKING_BUDGET = "asking_wijk_budget"


@dataclass
class BudgetAmountDraft:
    """The wijk whose budget is being set."""

    wijk_id: int | None = None


async def budget_pressed(update: Update, context: WijkContext) -> BudgetState | str:
    """Ask the new amount for the wijk's current period."""
    wijk = _wijk_from_button(update, context, AdminBudget)
    if wijk is None:
        return END
    context.answer()
    context.edit_markup()
    state = summary(context.db, wijk_id=wijk.id, today=utcnow().astimezone(context.settings.tz).date())
    context.draft = BudgetAmountDraft(wijk_id=wijk.id)
    context.reply(_("Typ het budget van {wijk} voor deze periode in euro's, bijvoorbeeld 50.000 (nu {amount}, "
                    "waarvan {granted} toegekend).").format(wijk=html.escape(wijk.name),
                                                           amount=fmt_euros(state.budget_cents),
                                                           granted=fmt_euros(state.granted_cents)))
    return BudgetState.ASKING_BUDGET


async def budget_typed(update: Update, context: WijkContext) -> str | None:
    """Set the amount (never below what is already granted)."""
    wijk = context.db.get(Area, context.draft.wijk_id) if context.draft.wijk_id is not None else None
    if wijk is None or not coordinates(context.db, person=context.person, area_id=wijk.id):
        context.reply(_("Dit kan alleen een coördinator van deze wijk."))
        return END
    cents = parse_euros(update.effective_message.text or "")
    if cents is None:
        context.reply(_("Typ een bedrag in euro's, bijvoorbeeld 50.000 of 12500,50."))
        return None
    tz = context.settings.tz
    try:
        budget = set_budget(context.db, wijk_id=wijk.id, today=utcnow().astimezone(tz).date(), amount_cents=cents,
                            by=pseudonym(context.person))
    except BudgetRefused as refusal:
        context.reply(_("Dat kan niet: er is al {granted} toegekend. Typ een bedrag van minstens dat.").format(
            granted=fmt_euros(refusal.details.get("granted_cents", 0))))
        return None
    context.reply(_("Het budget van {wijk} is nu {amount} ({start} t/m {end}).").format(
        wijk=html.escape(wijk.name), amount=fmt_euros(budget.amount_cents), start=fmt_date(budget.starts_on, tz),
        end=fmt_date(budget.ends_on, tz)), _menu())
    return END


def build_budget_dialog() -> Dialog[BudgetAmountDraft]:
    """Setting a wijk's budget from /beheer: the button, then the typed amount."""
    private = filters.ChatType.PRIVATE
    pressed = CallbackQueryHandler(budget_pressed, pattern=AdminBudget.pattern)
    return Dialog(
        name="beheer_budget",
        draft_type=BudgetAmountDraft,
        entry_points=[pressed],
        states={BudgetState.ASKING_BUDGET: [MessageHandler(
            private & filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, budget_typed)]},
        fallbacks=[pressed, CommandHandler("beheer", _leave_to_menu, filters=private)],
    )


async def _leave_to_menu(update: Update, context: WijkContext) -> str:
    """/beheer while an amount was asked: back to the menu."""
    await menu(update, context)
    return END

"""/volg and /ontvolg: follow a whole wijk (a monthly digest of what happened there)."""

from __future__ import annotations

import html

from sqlmodel import select
from telegram import Update

from bot.context import WijkContext
from bot.i18n import _
from conversations.buttons import Button, FollowWijk
from conversations.keyboards import in_rows, inline
from storage.areas import list_wijken, wijk_by_name
from storage.models import Area, Subscription


def _followed(context: WijkContext) -> list[Subscription]:
    """The person's wijk subscriptions."""
    return list(context.db.exec(select(Subscription).where(Subscription.person_id == context.person.id,
                                                           Subscription.wijk_id.is_not(None))).all())


def _follow(context: WijkContext, wijk: Area) -> None:
    """Follow `wijk` (once)."""
    if any(s.wijk_id == wijk.id for s in _followed(context)):
        context.reply(_("Je volgt {wijk} al.").format(wijk=html.escape(wijk.name)))
        return
    context.db.add(Subscription(person_id=context.person.id, wijk_id=wijk.id))
    context.reply(_("Je volgt nu {wijk}. Elke maand krijg je een overzicht van wat er in de wijk is gebeurd. "
                    "Stoppen kan met /ontvolg.").format(wijk=html.escape(wijk.name)))


async def follow(update: Update, context: WijkContext) -> None:
    """/volg [WIJK]: follow the named wijk, or pick one."""
    name = " ".join(context.args or []).strip()
    wijk = wijk_by_name(context.db, text=name[:200]) if name else None
    if wijk is not None:
        _follow(context, wijk)
        return
    buttons: list[tuple[str, Button]] = [(w.name, FollowWijk(w.id)) for w in list_wijken(context.db)]
    prefix = _("Die wijk ken ik niet. ") if name else ""
    context.reply(prefix + _("Welke wijk wil je volgen?"), inline(in_rows(buttons)))


async def follow_pressed(update: Update, context: WijkContext) -> None:
    """A wijk chosen from /volg."""
    pressed = FollowWijk.parse(update.callback_query.data)
    wijk = context.db.get(Area, pressed.wijk_id) if pressed is not None else None
    if wijk is None or not wijk.active:
        context.answer(_("Deze wijk bestaat niet (meer)."), alert=True)
        return
    context.answer()
    context.edit_markup()
    _follow(context, wijk)


async def unfollow(update: Update, context: WijkContext) -> None:
    """/ontvolg: stop following every wijk."""
    followed = _followed(context)
    if not followed:
        context.reply(_("Je volgt geen wijk. Met /volg begin je."))
        return
    names = [context.db.get(Area, s.wijk_id).name for s in followed]
    for subscription in followed:
        context.db.delete(subscription)
    context.reply(_("Je volgt {wijken} niet meer.").format(wijken=html.escape(", ".join(names))))

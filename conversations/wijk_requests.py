"""/wijk: the requests of the resident's wijk open for support (storage.visibility says which)."""

from __future__ import annotations

import html

from telegram import Update

from bot.context import WijkContext
from bot.i18n import _
from conversations.buttons import SupportRequest
from conversations.card import priority_label
from conversations.keyboards import inline
from storage.models import Area, Request
from storage.triage import support, supporters
from storage.visibility import Viewer, may_support, relations, supportable_requests

MAX_LISTED = 10


async def list_open(update: Update, context: WijkContext) -> None:
    """The wijk's open requests with a support button each."""
    wijk = context.db.get(Area, context.person.wijk_id) if context.person.wijk_id else None
    if wijk is None:
        context.reply(_("Ik weet nog niet in welke wijk je woont. Dien eerst een verzoek in met /nieuw."))
        return
    shown = supportable_requests(context.db, wijk_id=wijk.id, exclude_person_id=context.person.id, limit=MAX_LISTED)
    if not shown:
        context.reply(_("Er zijn nu geen open verzoeken van anderen in {wijk}.").format(wijk=html.escape(wijk.name)))
        return
    lines = [_("<b>Open verzoeken in {wijk}</b>").format(wijk=html.escape(wijk.name))]
    for request in shown:
        lines.append(_("• <b>{reference}</b> (👍 {count}): {text}").format(
            reference=request.reference, count=supporters(context.db, request_id=request.id),
            text=html.escape(request.text[:120])) + (f" {priority_label()}" if request.priority else ""))
    rows = [[(_("👍 Steun {reference}").format(reference=r.reference), SupportRequest(r.id))] for r in shown]
    context.reply("\n".join(lines), inline(rows))


def support_request(context: WijkContext, request: Request | None) -> bool:
    """Support `request` once, and say what happened; True when the person supports it now."""
    viewers = relations(context.db, person=context.person, request=request) if request is not None else frozenset()
    if request is None or not may_support(viewers, request.status):
        if request is not None and Viewer.FILER in viewers:
            context.answer(_("Dit is je eigen verzoek."), alert=True)
        else:  # the same words whether it was never open to residents or no longer is: nothing to learn
            context.answer(_("Dit verzoek is niet meer open."), alert=True)
        return False
    if support(context.db, person_id=context.person.id, request=request):
        context.answer(_("Je steunt {reference}. Je krijgt bericht als er nieuws is.").format(reference=request.reference))
    else:
        context.answer(_("Je steunde {reference} al.").format(reference=request.reference), alert=True)
    return True


async def support_pressed(update: Update, context: WijkContext) -> None:
    """A support button from /wijk."""
    pressed = SupportRequest.parse(update.callback_query.data)
    request = context.db.get(Request, pressed.request_id) if pressed is not None else None
    support_request(context, request)

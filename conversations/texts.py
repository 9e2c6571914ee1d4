"""Shared labels (status, kind) in the active locale."""

from __future__ import annotations

from bot.i18n import _
from storage.models import RequestKind, RequestStatus


def kind_label(kind: str) -> str:
    """A request kind as residents call it."""
    labels = {
        RequestKind.WISH: _("Wens"),
        RequestKind.QUESTION: _("Vraag"),
        RequestKind.INITIATIVE: _("Bewonersinitiatief"),
    }
    return labels.get(RequestKind(kind), kind)


def status_label(status: str) -> str:
    """A request status as residents read it."""
    labels = {
        RequestStatus.SUBMITTED: _("ingediend, wacht op de wijkraad"),
        RequestStatus.AWAITING_RESIDENT: _("wacht op antwoord van de bewoner"),
        RequestStatus.ROUTED: _("doorgezet, wacht op antwoord van de partner(s)"),
        RequestStatus.SOLVED_DIRECTLY: _("direct opgelost (melding)"),
        RequestStatus.DUPLICATE: _("samengevoegd met een ander verzoek"),
        RequestStatus.OUT_OF_SCOPE: _("valt buiten het wijkcontract"),
        RequestStatus.WITHDRAWN: _("ingetrokken"),
    }
    try:
        return labels[RequestStatus(status)]
    except ValueError:
        return status

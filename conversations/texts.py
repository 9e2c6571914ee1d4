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
        RequestStatus.WITHDRAWN: _("ingetrokken"),
    }
    try:
        return labels[RequestStatus(status)]
    except ValueError:
        return status

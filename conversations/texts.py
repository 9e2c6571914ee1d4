"""Shared labels (status, kind, card actions) in the active locale.

Every label function answers for any value: a value without a label shows as itself rather than
failing the whole view (tests/unit/test_labels.py checks that every value has its label).
"""

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
    return labels.get(kind, kind)  # type: ignore[call-overload]


def status_label(status: str) -> str:
    """A request status as residents read it."""
    labels = {
        RequestStatus.SUBMITTED: _("ingediend, wacht op de wijkraad"),
        RequestStatus.AWAITING_RESIDENT: _("wacht op antwoord van de bewoner"),
        RequestStatus.ROUTED: _("doorgezet, wacht op antwoord van de partner(s)"),
        RequestStatus.ANSWERED: _("beantwoord door de partner(s)"),
        RequestStatus.SOLVED_DIRECTLY: _("direct opgelost (melding)"),
        RequestStatus.DUPLICATE: _("samengevoegd met een ander verzoek"),
        RequestStatus.OUT_OF_SCOPE: _("valt buiten het wijkcontract"),
        RequestStatus.WITHDRAWN: _("ingetrokken"),
    }
    return labels.get(status, status)  # type: ignore[call-overload]


def action_label(action: str) -> str:
    """What happened to a request (a history line on the card); `{note}` is filled in by the caller."""
    labels = {
        "submit": _("ingediend"),
        "route": _("doorgezet naar {note}"),
        "melding": _("afgehandeld als melding"),
        "duplicate": _("samengevoegd met {note}"),
        "out_of_scope": _("buiten het wijkcontract: {note}"),
        "ask": _("vraag aan de bewoner: {note}"),
        "clarify": _("de bewoner heeft geantwoord"),
        "withdraw": _("ingetrokken door de bewoner"),
        "answer": _("beantwoord door de partner(s)"),
        "return": _("teruggegeven aan de wijkraad"),
        "reopen": _("teruggezet door de bewoner (niet tevreden met het antwoord)"),
        "redact": _("persoonsgegevens verwijderd ({note})"),
    }
    return labels.get(action, action)


def former_member() -> str:
    """In place of the name of a member who had their data erased (/vergeetmij)."""
    return _("voormalig lid")

"""Every value people can be shown has its own label, in Dutch and in English (never the raw value)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import use_locale
from conversations.answer_texts import category_label, reason_label
from conversations.budget import _decision_label
from conversations.contract_render import status_text
from conversations.stand_texts import category_short, status_short
from conversations.texts import action_label, kind_label, status_label
from storage.answers import REASON_TYPES
from storage.models import AnswerCategory, ContractStatus, GrantDecision, RequestKind, RequestStatus
from storage.workflow import TRANSITIONS

CATALOG = Path(__file__).resolve().parents[2] / "locales/en/LC_MESSAGES/wijkbot.po"
# Actions recorded in a request's history outside the transition table.
OTHER_ACTIONS = ("redact",)

LABELS: list[tuple[Callable[[str], str], list[str]]] = [
    (kind_label, list(RequestKind)),
    (status_label, list(RequestStatus)),
    (status_short, list(RequestStatus)),
    (category_label, list(AnswerCategory)),
    (category_short, list(AnswerCategory)),
    (reason_label, list(REASON_TYPES)),
    (status_text, list(ContractStatus)),
    (_decision_label, list(GrantDecision)),
    (action_label, sorted({t.action for t in TRANSITIONS} | set(OTHER_ACTIONS))),
]


def _english() -> dict[str, str]:
    """The English catalog: Dutch msgid -> English msgstr."""
    with CATALOG.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id and m.string}


@pytest.mark.parametrize(("label", "values"), LABELS, ids=[f.__name__ for f, _values in LABELS])
def test_every_value_has_a_dutch_and_an_english_label(label: Callable[[str], str], values: list[str]) -> None:
    english = _english()
    for value in values:
        with use_locale("nl"):
            dutch = label(value)
        with use_locale("en"):
            translated = label(value)
        # A label comes from the catalog; a missing one would fall back to the raw value.
        assert dutch in english, f"{label.__name__}({value!r}) has no label: {dutch!r}"
        assert translated == english[dutch] and translated != dutch, (label.__name__, value, translated)
    with use_locale("nl"):
        assert len({label(v) for v in values}) == len(values), f"{label.__name__} gives two values one label"


@pytest.mark.parametrize(("label", "values"), LABELS, ids=[f.__name__ for f, _values in LABELS])
def test_an_unknown_value_shows_as_itself_instead_of_failing(label: Callable[[str], str], values: list[str]) -> None:
    assert label("something_new") == "something_new"


def test_every_shown_enum_is_covered() -> None:
    covered = {type(values[0]) for _label, values in LABELS if isinstance(values[0], StrEnum)}
    assert {RequestKind, RequestStatus, AnswerCategory, ContractStatus, GrantDecision} <= covered

"""The required fields of each answer category (seed 001)."""

from __future__ import annotations

from datetime import date

import pytest

from storage.answers import AnswerFields, missing_fields

DAY = date(2027, 6, 30)


@pytest.mark.parametrize(("fields", "missing"), [
    (AnswerFields(), ["category"]),
    (AnswerFields(category="solved_directly"), ["text"]),
    (AnswerFields(category="solved_directly", text="Opgelost."), []),
    (AnswerFields(category="within_period", text="We doen het."), ["planned_date"]),
    (AnswerFields(category="within_period", text="We doen het.", planned_date=DAY), []),
    (AnswerFields(category="in_planning", text="Staat gepland."), ["planning_date", "planning_adjusted"]),
    (AnswerFields(category="in_planning", text="x", planning_date=DAY, planning_adjusted=True), []),
    (AnswerFields(category="in_planning", text="x", planning_date=DAY, planning_adjusted=False), ["motivation"]),
    (AnswerFields(category="in_planning", text="x", planning_date=DAY, planning_adjusted=False, motivation="m"), []),
    (AnswerFields(category="prioritisation", text="x"), ["decision_date"]),
    (AnswerFields(category="prioritisation", text="x", decision_date=DAY), []),
    (AnswerFields(category="not_possible", text="x"), ["reason_type", "motivation"]),
    (AnswerFields(category="not_possible", text="x", reason_type="moral", motivation="m"), ["reason_type"]),
    (AnswerFields(category="not_possible", text="x", reason_type="legal", motivation="m"), []),
    (AnswerFields(category="made_up", text="x"), ["category"]),
])
def test_each_category_requires_its_fields(fields: AnswerFields, missing: list[str]) -> None:
    assert missing_fields(fields) == missing

"""Button data: every kind packs and parses back, stays within Telegram's 64 bytes, and refuses anything else."""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass, fields
from typing import Annotated, Any, Literal

import pytest

from conversations.buttons import (
    MAX_BYTES,
    MAX_ID,
    Button,
    Code,
    TriageDuplicateOf,
    TriagePrompt,
    TriageRoute,
)

KINDS = sorted(Button.kinds, key=lambda kind: kind.__name__)


def _choices(kind: type[Button], name: str) -> list[Any]:
    """Every value a field may hold, at its extremes: 0 and the largest id, each word, the longest code."""
    hint = typing.get_type_hints(kind, include_extras=True)[name]
    if hint is int:
        return [0, 1, MAX_ID]
    if typing.get_origin(hint) is Literal:
        return list(typing.get_args(hint))
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return list(hint)
    code = typing.get_args(hint)[1]
    assert isinstance(code, Code)
    return ["a", "a-b_9", "z" * code.max_length]


def _examples(kind: type[Button]) -> list[Button]:
    """One button per value of each field (the others at their longest), and one with every field at its longest."""
    names = [f.name for f in fields(kind)]  # type: ignore[arg-type]
    longest = {name: max(_choices(kind, name), key=lambda value: len(str(getattr(value, "value", value))))
               for name in names}
    examples = [kind(**longest)]
    for name in names:
        examples += [kind(**{**longest, name: value}) for value in _choices(kind, name)]
    return examples


def test_there_are_button_kinds_and_their_prefixes_differ() -> None:
    assert len(KINDS) >= 10
    patterns = {kind.pattern.pattern for kind in KINDS}
    assert len(patterns) == len(KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_every_kind_round_trips_within_64_bytes(kind: type[Button]) -> None:
    for button in _examples(kind):
        data = button.pack()
        assert len(data.encode("utf-8")) <= MAX_BYTES, data
        assert kind.parse(data) == button, data
        assert kind.pattern.match(data), data
        # No other kind reads this data: each press reaches exactly one handler.
        assert [other.__name__ for other in KINDS if other.parse(data) is not None] == [kind.__name__], data


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_every_kind_refuses_garbage(kind: type[Button]) -> None:
    data = _examples(kind)[0].pack()
    for forged in ("", ":", "garbage", data + ":1", data + " ", " " + data, "x" + data, data.upper() if
                   data != data.upper() else data + "x", "x" * 64, kind.prefix + ":"):
        assert kind.parse(forged) is None, forged
    assert kind.parse(None) is None


@pytest.mark.parametrize("kind", [kind for kind in KINDS if any(
    typing.get_type_hints(kind)[f.name] is int for f in fields(kind))], ids=lambda kind: kind.__name__)  # type: ignore[arg-type]
def test_every_number_is_bounded(kind: type[Button]) -> None:
    button = _examples(kind)[0]
    for name in [f.name for f in fields(kind) if typing.get_type_hints(kind)[f.name] is int]:  # type: ignore[arg-type]
        good = button.pack()
        parts = good.split(":")
        position = len(kind.prefix.split(":")) + [f.name for f in fields(kind)].index(name)  # type: ignore[arg-type]
        for forged in (str(MAX_ID + 1), "9" * 20, "-1", "١٢", "1.0", "+1", ""):
            assert kind.parse(":".join([*parts[:position], forged, *parts[position + 1:]])) is None, (name, forged)
        with pytest.raises(ValueError):
            kind(**{**{f.name: getattr(button, f.name) for f in fields(kind)}, name: -1}).pack()  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            kind(**{**{f.name: getattr(button, f.name) for f in fields(kind)}, name: MAX_ID + 1}).pack()  # type: ignore[arg-type]


def test_readable_data() -> None:
    assert TriageRoute(request_id=42).pack() == "triage:route:42"
    assert TriageDuplicateOf(request_id=7, original_id=3).pack() == "triage:duplicate_of:7:3"
    assert TriagePrompt.parse("triage:ask:5") == TriagePrompt(action="ask", request_id=5)
    assert TriagePrompt.parse("triage:route:5") is None and TriageRoute.parse("triage:ask:5") is None
    assert TriageRoute.parse("tri:route:5") is None  # the old prefixes: such buttons are stale


def test_words_outside_the_list_do_not_pack() -> None:
    with pytest.raises(ValueError):
        TriagePrompt(action="delete", request_id=1).pack()  # type: ignore[arg-type]


def test_too_long_data_does_not_pack() -> None:
    @dataclass(frozen=True)
    class Long(Button):
        prefix = "test:long"
        code: Annotated[str, Code(80)]

    try:
        assert Long("a" * 40).pack() == "test:long:" + "a" * 40
        with pytest.raises(ValueError, match="64 bytes"):
            Long("a" * 60).pack()
    finally:
        Button.kinds.remove(Long)

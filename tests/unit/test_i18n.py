"""Every marked string has an English translation with the same placeholders and tags."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import _, fmt_euros, pick_locale, use_locale

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{\w+\}")
TAG = re.compile(r"</?[a-z]+>")


def _marked() -> set[str]:
    """Every msgid marked in the code."""
    found: set[str] = set()
    for folder in ("bot", "conversations", "storage", "scheduler"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_marked_string_is_translated_to_english() -> None:
    with (ROOT / "locales/en/LC_MESSAGES/wijkbot.po").open("rb") as handle:
        catalog = read_po(handle)
    # Plurals pair each form with its translation (English has the same two forms as Dutch).
    pairs = {(m.id if isinstance(m.id, str) else m.id[0]):
             list(zip((m.id,) if isinstance(m.id, str) else m.id, (m.string,) if isinstance(m.string, str)
                      else m.string, strict=True))
             for m in catalog if m.id and not m.fuzzy}
    translated = {key: forms for key, forms in pairs.items() if all(msgstr for _msgid, msgstr in forms)}
    missing = sorted(_marked() - set(translated))
    assert missing == [], "run pybabel extract/update and translate these"
    for forms in translated.values():
        for msgid, msgstr in forms:
            assert set(PLACEHOLDER.findall(msgid)) == set(PLACEHOLDER.findall(msgstr)), msgid
            assert TAG.findall(msgid) == TAG.findall(msgstr), msgid


def test_locale_choice_and_formatting() -> None:
    assert pick_locale("en-GB") == "en" and pick_locale("nl") == "nl" and pick_locale("de") == "nl"
    assert pick_locale(None) == "nl"
    with use_locale("en"):
        assert _("Overslaan") == "Skip"
        assert fmt_euros(125050) == "€1,250.50"
    with use_locale("nl"):
        assert _("Overslaan") == "Overslaan"
        assert fmt_euros(125050) == "€\xa01.250,50"

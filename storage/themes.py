"""Themes requests belong to; the default set is the Lemon survey's."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Theme

# (code, Dutch name, English name), in the order residents see them.
LEMON_THEMES: tuple[tuple[str, str, str], ...] = (
    ("wonen", "Wonen en woonomgeving", "Housing and surroundings"),
    ("spelen", "Spelen", "Play"),
    ("groen", "Groen", "Greenery"),
    ("verkeer", "Verkeer en parkeren", "Traffic and parking"),
    ("voorzieningen", "Voorzieningen", "Amenities"),
    ("betrokkenheid", "Betrokkenheid", "Community involvement"),
    ("overlast", "Overlast", "Nuisance"),
    ("veiligheid", "Veiligheid", "Safety"),
    ("jongeren", "Jongeren", "Young people"),
    ("ouderen", "Ouderen", "Older people"),
    ("schoon", "Schoon", "Cleanliness"),
)


def ensure_themes(session: Session, themes: tuple[tuple[str, str, str], ...] = LEMON_THEMES) -> None:
    """Create missing themes and update names; never deletes (requests refer to them)."""
    existing = {theme.code: theme for theme in session.exec(select(Theme)).all()}
    for position, (code, name_nl, name_en) in enumerate(themes):
        theme = existing.get(code) or Theme(code=code, name_nl=name_nl, name_en=name_en)
        theme.name_nl, theme.name_en, theme.position = name_nl, name_en, position
        session.add(theme)


def active_themes(session: Session) -> list[Theme]:
    """Themes residents can choose, in order."""
    return list(session.exec(select(Theme).where(Theme.active).order_by(Theme.position)).all())


def theme_name(theme: Theme, locale: str) -> str:
    """The theme's name in `locale` (Dutch when no translation exists)."""
    return theme.name_en if locale == "en" and theme.name_en else theme.name_nl

"""People who talk to the bot (residents keep only Telegram id, language and wijk)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Person


def get_or_create_person(session: Session, *, telegram_id: int, language: str) -> Person:
    """The person behind a Telegram user, created on first contact."""
    person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).first()
    if person is None:
        person = Person(telegram_id=telegram_id, language=language)
        session.add(person)
        session.flush()
    return person


def set_language(session: Session, *, person: Person, language: str) -> None:
    """Remember the language the person chose."""
    person.language = language
    session.add(person)


def pseudonym(person: Person | None) -> str:
    """What the audit log keeps about a person: never their Telegram id."""
    return "system" if person is None else f"person:{person.id}"

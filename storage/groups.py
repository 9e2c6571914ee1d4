"""Group chats linked to a wijk's wijkraad or to a partner organisation."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import AuditEntry, GroupChat, Organisation, utcnow
from storage.people import pseudonym
from storage.models import Person


def link_group(session: Session, *, chat_id: int, title: str | None, by: Person, area_id: int | None = None,
               organisation_id: int | None = None) -> GroupChat:
    """Make this group the wijkraad group of a wijk, or an organisation's group (relinking moves it)."""
    group = session.get(GroupChat, chat_id) or GroupChat(chat_id=chat_id)
    group.area_id, group.organisation_id = area_id, organisation_id
    group.title, group.linked_by, group.linked_at = title, by.id, utcnow()
    session.add(group)
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
        if organisation is not None:
            organisation.group_chat_id = chat_id
            session.add(organisation)
    session.add(AuditEntry(actor=pseudonym(by), action="group.link", subject_type="group_chat",
                           subject_id=None, details={"area_id": area_id, "organisation_id": organisation_id}))
    return group


def wijkraad_groups(session: Session, *, wijk_id: int) -> list[GroupChat]:
    """The groups linked to this wijk's wijkraad."""
    return list(session.exec(select(GroupChat).where(GroupChat.area_id == wijk_id)).all())


def group_of(session: Session, *, chat_id: int) -> GroupChat | None:
    """What this group is linked to, if anything."""
    return session.get(GroupChat, chat_id)

"""In the playground only: give the web chat's personas their roles and link their groups."""

from __future__ import annotations

from sqlmodel import select

from bot.playground.personas import PARTNER_GROUP, PERSONAS, WIJKRAAD_GROUP
from storage.db import Database
from storage.groups import link_group
from storage.models import Area, MembershipRole, Organisation
from storage.people import get_or_create_person
from storage.roles import grant


def seed_personas(db: Database) -> None:
    """Idempotent: the personas' memberships and the two groups, as if invited and linked."""
    with db.transaction_sync() as session:
        for persona in PERSONAS:
            person = get_or_create_person(session, telegram_id=persona.user_id, language=persona.language_code)
            if persona.role == "partner":
                organisation = session.exec(select(Organisation).where(Organisation.code == persona.target)).first()
                if organisation is None:
                    continue
                grant(session, person=person, role=MembershipRole.PARTNER, organisation_id=organisation.id,
                      display_name=persona.first_name)
                link_group(session, chat_id=int(PARTNER_GROUP["id"]), title=str(PARTNER_GROUP["title"]), by=person,
                           organisation_id=organisation.id)
            elif persona.role in ("wijkraad", "coordinator"):
                area = session.exec(select(Area).where(Area.code == persona.target)).first()
                if area is None:
                    continue
                grant(session, person=person, role=MembershipRole(persona.role), area_id=area.id,
                      display_name=persona.first_name)
                if persona.role == "wijkraad":
                    link_group(session, chat_id=int(WIJKRAAD_GROUP["id"]), title=str(WIJKRAAD_GROUP["title"]),
                               by=person, area_id=area.id)

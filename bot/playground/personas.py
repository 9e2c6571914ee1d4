"""The people you can play in the playground's web chat (playground only; never with a real token)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    """A playground user, with the role the bot gives them in the playground."""

    user_id: int
    first_name: str
    language_code: str
    role: str  # resident, wijkraad, partner, coordinator
    target: str | None = None  # wijk code (wijkraad), organisation code (partner), area code (coordinator)

    def user(self) -> dict[str, object]:
        """As a Telegram user object."""
        return {"id": self.user_id, "first_name": self.first_name, "language_code": self.language_code}


WIJKRAAD_GROUP = {"id": -1001001, "type": "supergroup", "title": "Wijkraad Leidsebuurt"}
PARTNER_GROUP = {"id": -1002002, "type": "supergroup", "title": "Beheer openbare ruimte"}

PERSONAS: tuple[Persona, ...] = (
    Persona(101, "Anna", "nl", "resident"),
    Persona(102, "John", "en", "resident"),
    Persona(201, "Wim", "nl", "wijkraad", "zuid-west-leidsebuurt"),
    Persona(301, "Pim", "nl", "partner", "haarlem-openbare-ruimte"),
    Persona(401, "Cora", "nl", "coordinator", "haarlem"),
)


def chats_of(persona: Persona) -> list[dict[str, object]]:
    """The chats a persona sees: their private chat with the bot, and their role's group."""
    chats: list[dict[str, object]] = [{"id": persona.user_id, "type": "private", "title": "Wijkbot"}]
    if persona.role == "wijkraad":
        chats.append(WIJKRAAD_GROUP)
    if persona.role == "partner":
        chats.append(PARTNER_GROUP)
    return chats

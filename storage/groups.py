"""Group chats linked to a wijk's wijkraad or to a partner organisation, and who may link them.

The one rule (`link_refusal`): a coordinator of the wijk (or of one of the wijken the organisation
serves) may link a group to it; a wijkraad member of that wijk, or a partner member of that
organisation, may too when they administer the Telegram group. Moving a group that is linked to
something else needs that standing for both. A group has one link, and a wijk
or organisation one group: linking anew replaces what was there (the conversation asks first).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlmodel import Session, select

from storage.models import Area, AreaKind, AuditEntry, GroupChat, Organisation, OrganisationWijk, Person, utcnow
from storage.people import pseudonym
from storage.roles import coordinates, is_partner_member, is_wijkraad_member


@dataclass(frozen=True)
class LinkTarget:
    """What a group is (to be) linked to: a wijk's wijkraad or an organisation."""

    area_id: int | None = None
    organisation_id: int | None = None

    @classmethod
    def of(cls, group: GroupChat) -> "LinkTarget | None":
        """What this group is linked to now, if anything."""
        if group.area_id is None and group.organisation_id is None:
            return None
        return cls(area_id=group.area_id, organisation_id=group.organisation_id)


class LinkProblem(StrEnum):
    """Why someone may not link a group to a target."""

    UNKNOWN_TARGET = "unknown_target"  # no such (active) wijk or organisation
    NO_ROLE = "no_role"  # neither its coordinator nor one of its members
    NOT_GROUP_ADMIN = "not_group_admin"  # a member, but not an administrator of the Telegram group
    ADMIN_UNKNOWN = "admin_unknown"  # a member, and Telegram could not tell whether they administer the group
    NOT_CURRENT_HOLDER = "not_current_holder"  # may link to the target, but not take the group from its link now


def served_wijken(session: Session, *, organisation_id: int) -> list[int]:
    """The wijken an organisation serves."""
    return list(session.exec(select(OrganisationWijk.wijk_id).where(
        OrganisationWijk.organisation_id == organisation_id)).all())


def target_wijken(session: Session, *, target: LinkTarget) -> list[int]:
    """The wijken whose coordinators answer for this target."""
    if target.area_id is not None:
        return [target.area_id]
    if target.organisation_id is not None:
        return served_wijken(session, organisation_id=target.organisation_id)
    return []


def link_refusal(session: Session, *, person: Person, chat_id: int, target: LinkTarget,
                 group_admin: bool | None) -> LinkProblem | None:
    """Why `person` may not link group `chat_id` to `target` (None: they may).

    Taking a group away from what it is linked to now needs the same standing there: a partner who
    happens to administer a wijkraad's group cannot move it to their organisation.
    `group_admin`: whether they administer the Telegram group (None when Telegram could not say).
    """
    problem = _refusal_for(session, person=person, target=target, group_admin=group_admin)
    group = session.get(GroupChat, chat_id)
    current = LinkTarget.of(group) if group is not None else None
    if problem is not None or current is None or current == target:
        return problem
    problem = _refusal_for(session, person=person, target=current, group_admin=group_admin)
    if problem is LinkProblem.UNKNOWN_TARGET:  # linked to a wijk or organisation that is gone: free to take
        return None
    return LinkProblem.NOT_CURRENT_HOLDER if problem is LinkProblem.NO_ROLE else problem


def _refusal_for(session: Session, *, person: Person, target: LinkTarget,
                 group_admin: bool | None) -> LinkProblem | None:
    """Why `person` may not link a group to `target`, whatever the group is linked to now."""
    if target.area_id is not None:
        wijk = session.get(Area, target.area_id)
        if wijk is None or wijk.kind != AreaKind.WIJK or not wijk.active:
            return LinkProblem.UNKNOWN_TARGET
        member = is_wijkraad_member(session, person=person, wijk_id=wijk.id)
    elif target.organisation_id is not None:
        organisation = session.get(Organisation, target.organisation_id)
        if organisation is None or not organisation.active:
            return LinkProblem.UNKNOWN_TARGET
        member = is_partner_member(session, person=person, organisation_id=organisation.id)
    else:
        return LinkProblem.UNKNOWN_TARGET
    if any(coordinates(session, person=person, area_id=wijk_id)
           for wijk_id in target_wijken(session, target=target)):
        return None
    if not member:
        return LinkProblem.NO_ROLE
    if group_admin is None:
        return LinkProblem.ADMIN_UNKNOWN
    return None if group_admin else LinkProblem.NOT_GROUP_ADMIN


def groups_of_target(session: Session, *, target: LinkTarget) -> list[GroupChat]:
    """The groups linked to this wijk's wijkraad or to this organisation."""
    if target.area_id is not None:
        return wijkraad_groups(session, wijk_id=target.area_id)
    groups = list(session.exec(select(GroupChat).where(GroupChat.organisation_id == target.organisation_id)).all())
    organisation = session.get(Organisation, target.organisation_id)
    if organisation is not None and organisation.group_chat_id is not None and all(
            g.chat_id != organisation.group_chat_id for g in groups):
        groups.append(GroupChat(chat_id=organisation.group_chat_id, organisation_id=organisation.id))
    return groups


@dataclass
class LinkChange:
    """What linking a group to a target would change."""

    already: bool = False  # the group is linked to exactly this target
    previous: LinkTarget | None = None  # what this group is linked to now, when something else
    replaced: list[GroupChat] = field(default_factory=list)  # the target's other groups, unlinked by it

    @property
    def relink(self) -> bool:
        """An existing link changes (ask first, tell the coordinators)."""
        return self.previous is not None or bool(self.replaced)


def link_change(session: Session, *, chat_id: int, target: LinkTarget) -> LinkChange:
    """What linking this group to `target` would change."""
    group = session.get(GroupChat, chat_id)
    current = LinkTarget.of(group) if group is not None else None
    return LinkChange(already=current == target,
                      previous=current if current != target else None,
                      replaced=[g for g in groups_of_target(session, target=target) if g.chat_id != chat_id])


def _clear_organisation_links(session: Session, *, chat_id: int) -> None:
    """No organisation points at this group any more."""
    for organisation in session.exec(select(Organisation).where(Organisation.group_chat_id == chat_id)).all():
        organisation.group_chat_id = None
        session.add(organisation)


def _unlink(session: Session, *, chat_id: int) -> None:
    """This group is linked to nothing any more."""
    _clear_organisation_links(session, chat_id=chat_id)
    group = session.get(GroupChat, chat_id)
    if group is not None:
        session.delete(group)
    session.flush()


def link_group(session: Session, *, chat_id: int, title: str | None, by: Person, area_id: int | None = None,
               organisation_id: int | None = None) -> LinkChange:
    """Make this group the wijkraad group of a wijk, or an organisation's group.

    Whatever the group was linked to before, and the target's other groups, are unlinked; the audit
    says so. Authorisation (`link_refusal`) and asking first are the caller's.
    """
    target = LinkTarget(area_id=area_id, organisation_id=organisation_id)
    change = link_change(session, chat_id=chat_id, target=target)
    for other in change.replaced:
        _unlink(session, chat_id=other.chat_id)
    if change.previous is not None and change.previous.organisation_id is not None:
        _clear_organisation_links(session, chat_id=chat_id)
    group = session.get(GroupChat, chat_id) or GroupChat(chat_id=chat_id)
    group.area_id, group.organisation_id = area_id, organisation_id
    group.title, group.linked_by, group.linked_at = title, by.id, utcnow()
    session.add(group)
    if organisation_id is not None:
        organisation = session.get(Organisation, organisation_id)
        if organisation is not None:
            organisation.group_chat_id = chat_id
            session.add(organisation)
    details: dict[str, object] = {"chat_id": chat_id, "area_id": area_id, "organisation_id": organisation_id}
    if change.previous is not None:
        details.update(previous_area_id=change.previous.area_id,
                       previous_organisation_id=change.previous.organisation_id)
    if change.replaced:
        details["replaced_chat_ids"] = [g.chat_id for g in change.replaced]
    session.add(AuditEntry(actor=pseudonym(by), action="group.relink" if change.relink else "group.link",
                           subject_type="group_chat", subject_id=None, details=details))
    return change


def wijkraad_groups(session: Session, *, wijk_id: int) -> list[GroupChat]:
    """The groups linked to this wijk's wijkraad."""
    return list(session.exec(select(GroupChat).where(GroupChat.area_id == wijk_id)).all())


def group_of(session: Session, *, chat_id: int) -> GroupChat | None:
    """What this group is linked to, if anything."""
    return session.get(GroupChat, chat_id)

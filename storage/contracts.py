"""The wijkcontract per wijk and period: its versions, its content, and who signed it.

A version's `content` is the data its document is made from: the requests filed in the
period with their answers, the afspraken agreed in the period, and the parties that sign.

    concept ──(a coordinator offers it)──► ter ondertekening ──(every party signed)──► getekend

While a version is a concept its content simply follows the database. Once signing has
started its content is frozen: when the terms change after that (a new answer or afspraak in
the period), the next look makes a new version (number + 1, concept) and the old one stays,
marked superseded, with the signatures it got. Signatures always go to the current version.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from storage.models import (
    Afspraak,
    Answer,
    Area,
    AreaKind,
    AuditEntry,
    ContractPeriod,
    ContractSignature,
    ContractStatus,
    ContractVersion,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationWijk,
    Person,
    Request,
    RequestStatus,
    StatusChange,
    Theme,
    utcnow,
)
from storage.people import pseudonym
from storage.refusals import Refused
from storage.roles import active_memberships, area_ancestors, coordinates
from storage.visibility import REVIEWED

WIJKRAAD = "wijkraad"
COORDINATOR = "coordinator"
ORGANISATION = "org:"

# What a request without an answer shows (and what counts as undecided).
PENDING = "pending"
REQUEST_STATES = {
    RequestStatus.SUBMITTED: PENDING,
    RequestStatus.AWAITING_RESIDENT: PENDING,
    RequestStatus.ROUTED: PENDING,
    RequestStatus.ANSWERED: PENDING,  # every partner handed it back: it is with the wijkraad again
    RequestStatus.SOLVED_DIRECTLY: "melding",
    RequestStatus.OUT_OF_SCOPE: "out_of_scope",
    RequestStatus.DUPLICATE: "duplicate",
}


class ContractRefused(Refused):
    """A contract action that is not (or no longer) possible; `code` says why."""


def organisation_party(organisation_id: int) -> str:
    """The party key of a partner organisation."""
    return f"{ORGANISATION}{organisation_id}"


# ── periods ──────────────────────────────────────────────────────────────────────────────

def _add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (1 March for 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, month=3, day=1)


def period_of(session: Session, *, wijk_id: int, today: date, years: int) -> tuple[date, date]:
    """The wijk's contract period containing today.

    The period a coordinator started (/beheer) when one covers today; otherwise periods of the
    configured length that follow on from the last one, or calendar years from 1 January when
    there never was one (as `wijkbot export --period YEAR` counts them).
    """
    periods = session.exec(select(ContractPeriod).where(ContractPeriod.wijk_id == wijk_id)
                           .order_by(col(ContractPeriod.starts_on).desc(), col(ContractPeriod.id).desc())).all()
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period.starts_on, period.ends_on
    earlier = [p for p in periods if p.ends_on < today]
    start = earlier[0].ends_on + timedelta(days=1) if earlier else date(today.year, 1, 1)
    while _add_years(start, years) <= today:
        start = _add_years(start, years)
    return start, _add_years(start, years) - timedelta(days=1)


def _utc_bounds(starts_on: date, ends_on: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as UTC moments: from local midnight of the first day to that after the last."""
    start = datetime.combine(starts_on, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(ends_on + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _local_day(value: datetime, tz: ZoneInfo) -> date:
    """The local date of a stored moment (SQLite returns naive UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).date()


# ── the content ──────────────────────────────────────────────────────────────────────────

def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def build_content(session: Session, *, wijk_id: int, starts_on: date, ends_on: date, today: date,
                  tz: ZoneInfo) -> dict[str, Any]:
    """Everything the wijk's contract for this period says, as JSON-friendly data."""
    wijk = session.get(Area, wijk_id)
    district = session.get(Area, wijk.parent_id) if wijk and wijk.parent_id else None
    top = _municipality_of(session, wijk_id)
    start, end = _utc_bounds(starts_on, ends_on, tz)
    organisations: dict[int, str] = {o.id: o.name for o in session.exec(select(Organisation)).all()}

    filed = session.exec(select(Request).where(
        Request.wijk_id == wijk_id, Request.created_at >= start, Request.created_at < end,
        Request.status != RequestStatus.WITHDRAWN, Request.reference.is_not(None)).order_by(Request.id)).all()
    themes = {t.id: t.name_nl for t in session.exec(select(Theme)).all()}
    answers: dict[int, list[Answer]] = {}
    if filed:
        for answer in session.exec(select(Answer).where(Answer.request_id.in_([r.id for r in filed]))
                                   .order_by(Answer.answered_at, Answer.id)).all():
            answers.setdefault(answer.request_id, []).append(answer)
    # Every party to the contract reads it, so it holds only what the wijkraad reviewed (storage/visibility.py):
    # a request still waiting for the wijkraad is left out, unless partners already answered it or an
    # afspraak was made of it.
    agreed = set(session.exec(select(Afspraak.request_id).where(
        col(Afspraak.request_id).in_([r.id for r in filed]))).all()) if filed else set()
    requests = [r for r in filed if RequestStatus(r.status) in REVIEWED or r.id in answers or r.id in agreed]
    references = {r.id: r.reference for r in requests}

    listed_requests = []
    for request in requests:
        given = answers.get(request.id, [])
        state = "answered" if given else REQUEST_STATES.get(RequestStatus(request.status), PENDING)
        note = None
        if state == "out_of_scope":
            note = session.exec(select(StatusChange.note).where(
                StatusChange.request_id == request.id, StatusChange.action == "out_of_scope")
                .order_by(col(StatusChange.id).desc())).first()
        elif state == "duplicate" and request.duplicate_of_id:
            original = session.get(Request, request.duplicate_of_id)
            note = original.reference if original else None
        listed_requests.append({
            "reference": request.reference, "kind": request.kind, "theme": themes.get(request.theme_id, "?"),
            "text": request.text, "filed_on": _local_day(request.created_at, tz).isoformat(), "state": state,
            "note": note,
            "answers": [{
                "organisation_id": a.organisation_id, "organisation": organisations.get(a.organisation_id, "?"),
                "category": a.category, "planned_date": _iso(a.planned_date), "planning_date": _iso(a.planning_date),
                "planning_adjusted": a.planning_adjusted, "decision_date": _iso(a.decision_date),
                "reason_type": a.reason_type, "motivation": a.motivation, "text": a.text, "outcome": a.outcome,
            } for a in given],
        })

    afspraken = session.exec(select(Afspraak).where(
        Afspraak.wijk_id == wijk_id, Afspraak.created_at >= start, Afspraak.created_at < end)
        .order_by(Afspraak.deadline, Afspraak.id)).all()
    for afspraak in afspraken:
        if afspraak.request_id and afspraak.request_id not in references:
            linked = session.get(Request, afspraak.request_id)
            references[afspraak.request_id] = linked.reference if linked else None
    listed_afspraken = [{
        "number": number, "reference": references.get(a.request_id) if a.request_id else None,
        "owner_kind": a.owner_kind, "organisation_id": a.organisation_id,
        "organisation": organisations.get(a.organisation_id) if a.organisation_id else None,
        "what": a.what, "deadline": a.deadline.isoformat(), "means": a.means,
        "status": a.status, "percent": a.percent_done,
    } for number, a in enumerate(afspraken, start=1)]

    partner_ids = {a["organisation_id"] for a in listed_afspraken if a["organisation_id"]}
    partner_ids |= {answer["organisation_id"] for r in listed_requests for answer in r["answers"]}
    parties = [{"key": organisation_party(i), "name": organisations.get(i, "?")}
               for i in sorted(partner_ids, key=lambda i: (organisations.get(i, "?").casefold(), i))]
    parties += [{"key": WIJKRAAD, "name": wijk.name if wijk else "?"}, {"key": COORDINATOR, "name": None}]
    return {
        "municipality": top.name if top else None,
        "district": district.name if district and district.kind == AreaKind.DISTRICT else None,
        "wijk": wijk.name if wijk else "?",
        "wijk_code": wijk.code if wijk else "",
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "made_on": today.isoformat(),
        "requests": listed_requests, "afspraken": listed_afspraken, "parties": parties,
    }


def _municipality_of(session: Session, wijk_id: int) -> Area | None:
    """The municipality above the wijk."""
    for area_id in area_ancestors(session, area_id=wijk_id):
        area = session.get(Area, area_id)
        if area is not None and area.kind == AreaKind.MUNICIPALITY:
            return area
    return None


def terms_hash(content: dict[str, Any]) -> str:
    """A fingerprint of what the parties agree to: the answers, the afspraken and the parties.

    Not of what merely reports on them (an afspraak's progress, requests still undecided, the date).
    """
    terms = {
        "answers": [[r["reference"], r["answers"]] for r in content["requests"] if r["answers"]],
        "afspraken": [{k: a[k] for k in ("reference", "owner_kind", "organisation_id", "what", "deadline", "means")}
                      for a in content["afspraken"]],
        "parties": [p["key"] for p in content["parties"]],
        "period": [content["starts_on"], content["ends_on"]],
    }
    return hashlib.sha256(json.dumps(terms, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal content, apart from the day it was drawn up."""
    return {k: v for k, v in a.items() if k != "made_on"} == {k: v for k, v in b.items() if k != "made_on"}


# ── versions ─────────────────────────────────────────────────────────────────────────────

def lock_version(session: Session, *, version_id: int) -> ContractVersion | None:
    """A version, locked for this transaction."""
    return session.exec(select(ContractVersion).where(ContractVersion.id == version_id).with_for_update()).first()


def current_version(session: Session, *, wijk_id: int, starts_on: date, ends_on: date, today: date,
                    tz: ZoneInfo) -> ContractVersion:
    """The wijk's current version for the period, brought up to date with the database.

    A concept follows the database; a version in signing or signed whose terms changed is
    superseded by a new concept. `pdf` is None whenever the document must be rendered again.
    """
    content = build_content(session, wijk_id=wijk_id, starts_on=starts_on, ends_on=ends_on, today=today, tz=tz)
    terms = terms_hash(content)
    latest = session.exec(select(ContractVersion).where(
        ContractVersion.wijk_id == wijk_id, ContractVersion.starts_on == starts_on)
        .order_by(col(ContractVersion.number).desc()).with_for_update()).first()
    now = utcnow()
    if latest is not None and latest.status == ContractStatus.CONCEPT:
        if not _same(latest.content, content):
            latest.content, latest.terms_hash, latest.updated_at = content, terms, now
            latest.pdf = latest.html = None
            session.add(latest)
        return latest
    if latest is not None and latest.terms_hash == terms:
        return latest
    if latest is not None:
        latest.superseded_at = now
        session.add(latest)
    version = ContractVersion(wijk_id=wijk_id, starts_on=starts_on, ends_on=ends_on,
                              number=latest.number + 1 if latest else 1, status=ContractStatus.CONCEPT,
                              terms_hash=terms, content=content, created_at=now, updated_at=now)
    session.add(version)
    session.flush()
    session.add(AuditEntry(actor="system", action="contract.version", subject_type="contract_version",
                           subject_id=version.id, details={"wijk_id": wijk_id, "number": version.number,
                                                           "starts_on": starts_on.isoformat()}))
    return version


def refreshed(session: Session, *, version: ContractVersion, today: date, tz: ZoneInfo) -> ContractVersion:
    """The current version of the same wijk and period as `version` (possibly `version` itself)."""
    return current_version(session, wijk_id=version.wijk_id, starts_on=version.starts_on, ends_on=version.ends_on,
                           today=today, tz=tz)


def versions_of(session: Session, *, wijk_id: int) -> list[ContractVersion]:
    """Every version of the wijk's contracts, newest period and number first."""
    return list(session.exec(select(ContractVersion).where(ContractVersion.wijk_id == wijk_id).order_by(
        col(ContractVersion.starts_on).desc(), col(ContractVersion.number).desc())).all())


def signatures_of(session: Session, *, version_id: int) -> list[ContractSignature]:
    """The version's signatures, in the order they were given."""
    return list(session.exec(select(ContractSignature).where(ContractSignature.version_id == version_id)
                             .order_by(ContractSignature.signed_at, ContractSignature.id)).all())


def parties_of(version: ContractVersion) -> list[str]:
    """The parties that must sign this version."""
    return [party["key"] for party in version.content.get("parties", [])]


def unsigned_parties(session: Session, *, version: ContractVersion) -> list[str]:
    """The parties that still have to sign."""
    signed = {s.party for s in signatures_of(session, version_id=version.id)}
    return [party for party in parties_of(version) if party not in signed]


def store_rendering(session: Session, *, version: ContractVersion, pdf: bytes, html: str) -> None:
    """Keep the document as rendered, so it can be sent again exactly as it was."""
    version.pdf, version.html = pdf, html
    session.add(version)


def redact_request(session: Session, *, request: Request) -> int:
    """Every version that lists the request now says its (redacted) text; its document is rendered again.

    The request's text is not part of the terms, so signed and superseded versions keep their hash
    and signatures. Returns how many versions changed.
    """
    changed = 0
    for version in session.exec(select(ContractVersion).where(ContractVersion.wijk_id == request.wijk_id)).all():
        listed = version.content.get("requests", [])
        if not any(r.get("reference") == request.reference and r.get("text") != request.text for r in listed):
            continue
        requests = [{**r, "text": request.text} if r.get("reference") == request.reference else r for r in listed]
        version.content = {**version.content, "requests": requests}
        version.pdf = version.html = None
        session.add(version)
        changed += 1
    return changed


# ── who may do what ──────────────────────────────────────────────────────────────────────

def signing_membership(session: Session, *, person: Person, wijk_id: int, party: str) -> Membership | None:
    """The active membership that lets this person sign for `party` of the wijk's contract, if any."""
    memberships = active_memberships(session, person=person)
    if party == WIJKRAAD:
        return next((m for m in memberships if m.role == MembershipRole.WIJKRAAD and m.area_id == wijk_id), None)
    if party == COORDINATOR:
        areas = set(area_ancestors(session, area_id=wijk_id))
        return next((m for m in memberships if (m.role == MembershipRole.COORDINATOR and m.area_id in areas)
                     or m.role == MembershipRole.ADMIN), None)
    if party.startswith(ORGANISATION) and party[len(ORGANISATION):].isdigit():
        organisation_id = int(party[len(ORGANISATION):])
        return next((m for m in memberships if m.role == MembershipRole.PARTNER
                     and m.organisation_id == organisation_id), None)
    return None


def may_sign_for(session: Session, *, person: Person, version: ContractVersion) -> list[str]:
    """The version's parties this person may sign for."""
    return [party for party in parties_of(version)
            if signing_membership(session, person=person, wijk_id=version.wijk_id, party=party) is not None]


def viewable_wijken(session: Session, *, person: Person) -> list[Area]:
    """The wijken whose contract this person may see: as coordinator, wijkraad member or partner."""
    memberships = active_memberships(session, person=person)
    wijken = session.exec(select(Area).where(Area.kind == AreaKind.WIJK, Area.active).order_by(Area.name)).all()
    wijkraad = {m.area_id for m in memberships if m.role == MembershipRole.WIJKRAAD}
    organisations = [m.organisation_id for m in memberships if m.role == MembershipRole.PARTNER and m.organisation_id]
    served: set[int] = set()
    if organisations:
        served = set(session.exec(select(OrganisationWijk.wijk_id).where(
            OrganisationWijk.organisation_id.in_(organisations))).all())
        served |= set(session.exec(select(Afspraak.wijk_id).where(Afspraak.organisation_id.in_(organisations))).all())
        served |= set(session.exec(select(Request.wijk_id).join(Answer, Answer.request_id == Request.id).where(
            Answer.organisation_id.in_(organisations))).all())
    return [w for w in wijken if w.id in wijkraad or w.id in served
            or coordinates(session, person=person, area_id=w.id)]


def may_view(session: Session, *, person: Person, wijk_id: int) -> bool:
    """Whether this person may see the wijk's contract."""
    return any(w.id == wijk_id for w in viewable_wijken(session, person=person))


# ── status changes ───────────────────────────────────────────────────────────────────────

def start_signing(session: Session, *, version: ContractVersion, person: Person) -> None:
    """A coordinator offers the concept to the parties for signing."""
    if signing_membership(session, person=person, wijk_id=version.wijk_id, party=COORDINATOR) is None:
        raise ContractRefused("not_allowed")
    if version.status != ContractStatus.CONCEPT or version.superseded_at is not None:
        raise ContractRefused("not_concept")
    if not version.content.get("afspraken") and not any(r["answers"] for r in version.content.get("requests", [])):
        raise ContractRefused("empty")
    version.status, version.signing_at = ContractStatus.SIGNING, utcnow()
    version.pdf = version.html = None
    session.add(version)
    session.add(AuditEntry(actor=pseudonym(person), action="contract.start_signing", subject_type="contract_version",
                           subject_id=version.id, details={"number": version.number}))


@dataclass(frozen=True)
class Signed:
    """A signature given, and whether it completed the contract."""

    signature: ContractSignature
    complete: bool


def sign(session: Session, *, version: ContractVersion, party: str, person: Person) -> Signed:
    """Sign `version` for `party`; the last required signature makes it signed.

    The caller makes sure `version` is the current one (see `refreshed`).
    """
    if version.status != ContractStatus.SIGNING or version.superseded_at is not None:
        raise ContractRefused("not_signing")
    if party not in parties_of(version):
        raise ContractRefused("not_party")
    membership = signing_membership(session, person=person, wijk_id=version.wijk_id, party=party)
    if membership is None:
        raise ContractRefused("not_allowed")
    if party not in unsigned_parties(session, version=version):
        raise ContractRefused("already")
    now = utcnow()
    signature = ContractSignature(version_id=version.id, party=party, signer=pseudonym(person),
                                  name=membership.display_name, signed_at=now)
    session.add(signature)
    session.flush()
    complete = not unsigned_parties(session, version=version)
    if complete:
        version.status, version.signed_at = ContractStatus.SIGNED, now
    version.pdf = version.html = None
    session.add(version)
    session.add(AuditEntry(actor=pseudonym(person), action="contract.sign", subject_type="contract_version",
                           subject_id=version.id, details={"party": party, "complete": complete}))
    return Signed(signature, complete)

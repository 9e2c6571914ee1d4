"""Render an example wijkcontract from the Haarlem example with generated data.

    .venv/bin/python docs/render_examples.py

writes docs/examples/wijkcontract-leidsebuurt.pdf (and .html), a PNG of its first page
(docs/examples/wijkcontract-leidsebuurt.png) with `pdftoppm` (Debian: poppler-utils), and the
/stand chart of the same wijk with its text summary (docs/examples/stand-leidsebuurt.png, .txt). The data
goes into a throw-away SQLite database and through the same domain operations the bot uses;
dates are fixed, so the output is the same on every run (given the same font).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from conversations.contract import ensure_rendered  # noqa: E402
from conversations.stand import report, summary_of  # noqa: E402
from conversations.stand_chart import render_png  # noqa: E402
from storage import budgets  # noqa: E402
from storage.answers import AnswerFields, give_answer, report_progress  # noqa: E402
from storage.contracts import (  # noqa: E402
    WIJKRAAD,
    current_version,
    organisation_party,
    sign,
    start_signing,
)
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Afspraak,
    Answer,
    Area,
    ContractPeriod,
    GrantDecision,
    MembershipRole,
    Organisation,
    Person,
    Request,
    RequestKind,
    RequestRoute,
    Theme,
)
from storage.municipality import example_config, load_municipality  # noqa: E402
from storage.people import pseudonym  # noqa: E402
from storage.requests import NewRequest, file_request  # noqa: E402
from storage.roles import grant  # noqa: E402
from storage.triage import mark_duplicate, melding, out_of_scope, route, wijkraad_actor  # noqa: E402
from storage.workflow import Actor, Role  # noqa: E402

TZ = ZoneInfo("Europe/Amsterdam")
TODAY = date(2027, 5, 20)
START, END = date(2027, 1, 1), date(2027, 12, 31)
OUT = ROOT / "docs" / "examples"
NAME = "wijkcontract-leidsebuurt"
CHART = "stand-leidsebuurt"


def moment(day: date, hour: int = 10) -> datetime:
    """A local moment of `day`, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=TZ).astimezone(UTC)


def build(session: Session) -> int:
    """Leidsebuurt's requests, answers and afspraken of 2027; returns the wijk id."""
    load_municipality(session, config=example_config())

    def one(table: type, code: str):  # type: ignore[no-untyped-def]
        return session.exec(select(table).where(table.code == code)).one()

    wijk, top = one(Area, "zuid-west-leidsebuurt"), one(Area, "haarlem")
    org = {code: one(Organisation, code) for code in (
        "haarlem-openbare-ruimte", "politie-kennemerland-haarlem", "pre-wonen", "dock-haarlem")}
    people = {name: Person(telegram_id=n, language="nl") for n, name in enumerate(
        ("resident", "wim", "pim", "pol", "pia", "dirk", "cora"), start=1)}
    session.add_all(people.values())
    session.flush()
    grant(session, person=people["wim"], role=MembershipRole.WIJKRAAD, area_id=wijk.id,
          display_name="Wim de Vries")
    for name, code, display in (("pim", "haarlem-openbare-ruimte", "Pim Jansen"),
                                ("pol", "politie-kennemerland-haarlem", "Pol Bakker"),
                                ("pia", "pre-wonen", "Pia El Amrani"), ("dirk", "dock-haarlem", "Dirk Smit")):
        grant(session, person=people[name], role=MembershipRole.PARTNER, organisation_id=org[code].id,
              display_name=display)
    grant(session, person=people["cora"], role=MembershipRole.COORDINATOR, area_id=top.id,
          display_name="Cora Visser")
    session.add(ContractPeriod(wijk_id=wijk.id, starts_on=START, ends_on=END, created_at=moment(START)))
    wim = wijkraad_actor(people["wim"], "Wim de Vries")
    themes = {t.code: t.id for t in session.exec(select(Theme)).all()}

    def filed(text: str, theme: str, day: date, kind: RequestKind = RequestKind.WISH, **extra: object) -> Request:
        request = file_request(session, resident=people["resident"], new=NewRequest(
            wijk_id=wijk.id, kind=kind, theme_id=themes[theme], text=text, **extra))  # type: ignore[arg-type]
        request.created_at = moment(day)
        return request

    def answered(request: Request, answers: list[tuple[str, str, AnswerFields]], day: date) -> None:
        route(session, request=request, organisation_ids=[org[c].id for c, _n, _f in answers], by=wim, today=day,
              answer_days=15)
        for code, member, fields in answers:
            route_row = session.exec(select(RequestRoute).where(RequestRoute.request_id == request.id,
                                                                RequestRoute.organisation_id == org[code].id)).one()
            route_row.routed_at = moment(day)
            actor = Actor(Role.PARTNER, people[member].id, pseudonym(people[member]), member)
            answer = give_answer(session, route=route_row, request=request, fields=fields, by=actor)
            answer.answered_at = moment(day + timedelta(days=9), 14)
            for afspraak in session.exec(select(Afspraak).where(Afspraak.answer_id == answer.id)):
                afspraak.created_at = answer.answered_at
                session.add(afspraak)

    schommel = filed("De schommel in de speeltuin aan de Leidsevaart is al weken kapot; kinderen klimmen er "
                     "toch op.", "spelen", date(2027, 1, 18))
    answered(schommel, [
        ("haarlem-openbare-ruimte", "pim", AnswerFields(
            category="within_period", text="We vervangen de schommel door een nieuwe, met valdempende tegels.",
            planned_date=date(2027, 6, 15), means="Onderhoudsploeg Zuid-West, twee dagen; € 4.800 uit het "
                                                  "onderhoudsbudget spelen")),
        ("politie-kennemerland-haarlem", "pol", AnswerFields(
            category="not_possible", text="Een kapotte schommel is geen taak voor de politie; de gemeente pakt "
                                          "het op.", reason_type="policy",
            motivation="De politie zet in op de prioriteiten van de driehoek.")),
    ], date(2027, 1, 20))
    parkeren = filed("Fietsen staan overal op de stoep bij de Brouwersvaart; graag extra fietsenrekken.",
                     "verkeer", date(2027, 2, 3))
    answered(parkeren, [("haarlem-openbare-ruimte", "pim", AnswerFields(
        category="in_planning", text="De Brouwersvaart wordt in 2028 heringericht, met 40 nieuwe fietsparkeerplekken.",
        planning_date=date(2028, 3, 31), planning_adjusted=False,
        motivation="De herinrichting hangt samen met de vervanging van de riolering."))], date(2027, 2, 5))
    portiek = filed("In de portieken van de Leidsestraat staat vaak grofvuil en het ruikt er naar urine.",
                    "schoon", date(2027, 2, 11))
    answered(portiek, [("pre-wonen", "pia", AnswerFields(
        category="within_period", text="Wij laten de portieken maandelijks extra reinigen en spreken bewoners aan.",
        planned_date=date(2027, 9, 1), means="Huismeester en schoonmaakbedrijf, binnen het servicecontract"))],
             date(2027, 2, 12))
    jeugd = filed("Op het Leidseplein hangen ’s avonds jongeren rond; kan er iets voor hen georganiseerd worden?",
                  "jongeren", date(2027, 2, 25))
    answered(jeugd, [("dock-haarlem", "dirk", AnswerFields(
        category="prioritisation", text="We nemen een ambulant jongerenwerker voor de Leidsebuurt mee in de "
                                        "prioritering voor 2028.", decision_date=date(2027, 11, 30)))],
             date(2027, 2, 26))
    lamp = filed("De lantaarnpaal bij Leidsevaart 112 brandt niet.", "veiligheid", date(2027, 3, 2))
    melding(session, request=lamp, by=wim)
    tuin = filed("Wij willen de boomspiegels in de Leidsebuurtstraat samen beplanten en onderhouden.", "groen",
                 date(2027, 3, 9), kind=RequestKind.INITIATIVE, own_contribution="Acht bewoners planten en wieden",
                 volunteers_needed=8, budget_requested_cents=45000)
    answered(tuin, [("haarlem-openbare-ruimte", "pim", AnswerFields(
        category="within_period", text="We leveren planten, aarde en gereedschap en halen het groenafval op.",
        planned_date=date(2027, 4, 30), means="Planten en aarde (€ 450) uit het wijkbudget"))], date(2027, 3, 10))
    session.add(Afspraak(wijk_id=wijk.id, request_id=tuin.id, owner_kind="residents",
                         organisation_id=org["haarlem-openbare-ruimte"].id,
                         what="Bewoners beplanten de boomspiegels en houden ze een jaar lang bij.",
                         deadline=date(2027, 10, 1), means="Acht vrijwilligers, één ochtend per maand",
                         created_at=moment(date(2027, 3, 19), 14)))
    kerk = filed("Een hek om het kerkplein, want er wordt daar ’s nachts geskatet.", "overlast", date(2027, 3, 22))
    out_of_scope(session, request=kerk, by=wim, reason="Het kerkplein is privéterrein van de parochie; de bewoners "
                                                       "kunnen de parochie zelf benaderen.")
    bankje = filed("Graag een bankje bij de bushalte Leidseplein, voor ouderen die op de bus wachten.", "ouderen",
                   date(2027, 5, 3))
    dubbel = filed("Kan er een bank bij de bushalte op het Leidseplein komen?", "ouderen", date(2027, 5, 12))
    mark_duplicate(session, request=dubbel, original=bankje, by=wim)
    session.flush()
    # Progress on the first afspraak.
    first = session.exec(select(Afspraak).where(Afspraak.request_id == tuin.id,
                                                Afspraak.owner_kind == "partner")).one()
    report_progress(session, afspraak=first, text="Planten geleverd en geplant.", percent=100, photo_file_id=None,
                    by=Actor(Role.PARTNER, people["pim"].id, pseudonym(people["pim"]), "Pim Jansen"))
    session.flush()
    # Residents' verdicts on three answers, and the wijkraad's budget decision on the initiative.
    for request, verdict in ((schommel, "satisfied"), (portiek, "not_satisfied"), (tuin, "satisfied")):
        for answer in session.exec(select(Answer).where(Answer.request_id == request.id)):
            answer.satisfaction = verdict
            session.add(answer)
    budgets.grant(session, wijk_id=wijk.id, request_id=tuin.id, decision=GrantDecision.PARTIAL, today=TODAY,
                  amount_cents=40000, motivation="Planten en aarde; het gereedschap leent de gemeente uit.",
                  by="coordinator", by_name="Cora Visser")
    session.flush()
    return wijk.id


def chart(session: Session, wijk_id: int) -> tuple[bytes, str]:
    """The /stand chart (PNG) and its text summary, as the bot sends them."""
    wijk = session.get(Area, wijk_id)
    assert wijk is not None
    result = report(session, wijk=wijk, today=TODAY, tz=TZ)
    png = render_png(result.figures, wijk_name=wijk.name, themes=result.themes, budget=result.budget, today=TODAY,
                     tz=TZ)
    text = re.sub(r"<[^>]+>", "", summary_of(result, TZ))
    return png, text


def main() -> int:
    """Build, render, write the files and the PNG of the first page."""
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'example.db'}"
        upgrade(url)
        database = Database(url)
        try:
            with database.transaction_sync() as session:
                wijk_id = build(session)
                version = current_version(session, wijk_id=wijk_id, starts_on=START, ends_on=END, today=TODAY, tz=TZ)
                people = {p.telegram_id: p for p in session.exec(select(Person)).all()}
                start_signing(session, version=version, person=people[7])
                organisations = {o.code: o.id for o in session.exec(select(Organisation)).all()}
                for person, party, day in (
                        (people[2], WIJKRAAD, date(2027, 5, 21)),
                        (people[3], organisation_party(organisations["haarlem-openbare-ruimte"]), date(2027, 5, 24)),
                        (people[5], organisation_party(organisations["pre-wonen"]), date(2027, 5, 25))):
                    signature = sign(session, version=version, party=party, person=person).signature
                    signature.signed_at = moment(day, 11)
                    session.add(signature)
                version.pdf = version.html = None
                ensure_rendered(session, version=version, tz=TZ)
                pdf, html = version.pdf, version.html
                png, text = chart(session, wijk_id)
        finally:
            database.dispose()
    (OUT / f"{NAME}.pdf").write_bytes(pdf or b"")
    (OUT / f"{NAME}.html").write_text(html or "", "utf-8")
    print(f"wrote {OUT / (NAME + '.pdf')} and .html")
    (OUT / f"{CHART}.png").write_bytes(png)
    (OUT / f"{CHART}.txt").write_text(text + "\n", "utf-8")
    print(f"wrote {OUT / (CHART + '.png')} and .txt")
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: apt-get install poppler-utils for the PNG", file=sys.stderr)
        return 1
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", str(OUT / f"{NAME}.pdf"),
                    str(OUT / NAME)], check=True)
    print(f"wrote {OUT / (NAME + '.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Loading a municipality's configuration into the database (idempotent, never deletes) and reading it back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, select

from storage.config import (
    DEFAULT_ANSWER_DEADLINE_WORKING_DAYS,
    DEFAULT_CONTRACT_PERIOD_YEARS,
    DEFAULT_QUIET_END,
    DEFAULT_QUIET_START,
    MunicipalityConfig,
    load_config_file,
    parse_toml,
    validate_config,
)
from storage.models import Area, AreaKind, Organisation, OrganisationWijk, Theme

# Keys of the municipality area's details that the configuration file owns.
SETTINGS_KEYS = frozenset({"answer_deadline_working_days", "contract_period_years", "quiet_hours", "meldpunt",
                           "referral_text", "referral_text_en", "wijk_budget_euros"})
# Keys of a wijk area's details that the configuration file owns.
WIJK_SETTINGS_KEYS = frozenset({"budget_euros"})


# --- example files ------------------------------------------------------------------------------


def example_path(name: str = "haarlem") -> Path:
    """The path of an example configuration shipped in bot/examples."""
    return Path(str(resources.files("bot").joinpath("examples", f"{name}.toml")))


def example_config(name: str = "haarlem") -> dict[str, Any]:
    """One of the example configurations shipped in bot/examples, as parsed TOML."""
    path = example_path(name)
    return parse_toml(path.read_text("utf-8"), source=str(path))


def example_municipality(name: str = "haarlem") -> MunicipalityConfig:
    """One of the example configurations, validated."""
    return load_config_file(example_path(name))


def read_config(path: Path) -> dict[str, Any]:
    """Parse a municipality TOML file (ConfigError names the line of a syntax error)."""
    return parse_toml(path.read_text("utf-8"), source=str(path))


# --- the load report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One thing a load created, updated, deactivated or kept."""

    kind: str  # municipality, district, wijk, buurt, theme or partner
    code: str
    name: str
    detail: str = ""

    def __str__(self) -> str:
        """`wijk centrum-vijfhoek (Vijfhoek, Raaks en Doelen): name, postcodes`."""
        text = f"{self.kind} {self.code} ({self.name})"
        return f"{text}: {self.detail}" if self.detail else text


@dataclass
class LoadReport:
    """What load_municipality did, and what it left in place."""

    created: list[Change] = field(default_factory=list)
    updated: list[Change] = field(default_factory=list)
    deactivated: list[Change] = field(default_factory=list)
    kept: list[Change] = field(default_factory=list)  # not in the file, but requests refer to them

    @property
    def changed(self) -> bool:
        """Whether the load changed anything."""
        return bool(self.created or self.updated or self.deactivated)


# --- loading ------------------------------------------------------------------------------------


def load_municipality(session: Session, *, config: MunicipalityConfig | dict[str, Any],
                      base_dir: Path | None = None) -> LoadReport:
    """Create or update areas, themes and partners from the configuration; deactivate what it no longer lists."""
    if not isinstance(config, MunicipalityConfig):
        config = validate_config(config, source="configuration", base_dir=base_dir or Path.cwd())
    report = LoadReport()
    _load_themes(session, config=config, report=report)
    wijken = _load_areas(session, config=config, report=report)
    _load_partners(session, config=config, wijken=wijken, report=report)
    session.flush()
    return report


def _load_themes(session: Session, *, config: MunicipalityConfig, report: LoadReport) -> None:
    """Themes of the file (or the Lemon themes), in order."""
    existing = {theme.code: theme for theme in session.exec(select(Theme)).all()}
    listed: set[str] = set()
    for position, (code, name_nl, name_en) in enumerate(config.theme_rows()):
        listed.add(code)
        values = {"name_nl": name_nl, "name_en": name_en, "position": position, "active": True}
        _upsert(session, Theme, existing.get(code), code=code, values=values,
                change=Change("theme", code, name_nl), report=report)
    unlisted = [theme for code, theme in existing.items() if code not in listed]
    _retire(session, unlisted, referenced=_referenced_ids(session, table="theme"), report=report,
            describe=lambda theme: Change("theme", theme.code, theme.name_nl))


def _load_areas(session: Session, *, config: MunicipalityConfig, report: LoadReport) -> dict[str, Area]:
    """The municipality, its districts, wijken and buurten; returns the wijken by code."""
    existing = {area.code: area for area in session.exec(select(Area)).all()}
    listed: set[str] = set()

    def put(kind: AreaKind, code: str, name: str, parent: Area | None, **values: Any) -> Area:
        listed.add(code)
        fields = {"kind": kind.value, "name": name, "parent_id": parent.id if parent else None, **values,
                  "active": True}
        return _upsert(session, Area, existing.get(code), code=code, values=fields,
                       change=Change(kind.value, code, name), report=report)

    info = config.municipality
    old_details = existing[info.code].details if info.code in existing else {}
    details = {k: v for k, v in (old_details or {}).items() if k not in SETTINGS_KEYS} | info.settings()
    top = put(AreaKind.MUNICIPALITY, info.code, info.name, None, details=details)
    wijken: dict[str, Area] = {}
    for district_config in config.districts:
        district = put(AreaKind.DISTRICT, district_config.code, district_config.name, top)
        for wijk_config in district_config.wijken:
            old_wijk = existing[wijk_config.code].details if wijk_config.code in existing else {}
            wijk_details = {k: v for k, v in (old_wijk or {}).items() if k not in WIJK_SETTINGS_KEYS}
            if wijk_config.budget_euros is not None:
                wijk_details["budget_euros"] = wijk_config.budget_euros
            wijk = put(AreaKind.WIJK, wijk_config.code, wijk_config.name, district,
                       postcodes=list(wijk_config.postcodes), polygon=wijk_config.polygon, details=wijk_details)
            wijken[wijk.code] = wijk
            for buurt in wijk_config.buurten:
                put(AreaKind.BUURT, buurt.code, buurt.name, wijk)
    _retire_areas(session, [area for code, area in existing.items() if code not in listed], top=top,
                  report=report)
    return wijken


def _retire_areas(session: Session, unlisted: list[Area], *, top: Area, report: LoadReport) -> None:
    """Deactivate areas the file dropped; keep those requests refer to (and their parents)."""
    parents = {area.id: area.parent_id for area in session.exec(select(Area)).all()}
    referenced: set[int] = set()
    for area_id in _referenced_ids(session, table="area"):
        current: int | None = area_id
        while current is not None and current not in referenced:
            referenced.add(current)
            current = parents.get(current)
    for area in unlisted:
        if area.kind == AreaKind.MUNICIPALITY:
            referenced.discard(area.id)  # the file names the deployment's one municipality
    _retire(session, unlisted, referenced=referenced, report=report,
            describe=lambda area: Change(area.kind, area.code, area.name,
                                         f"replaced by {top.code}" if area.kind == AreaKind.MUNICIPALITY else ""))


def _load_partners(session: Session, *, config: MunicipalityConfig, wijken: dict[str, Area],
                   report: LoadReport) -> None:
    """Partner organisations and the wijken they serve."""
    existing = {org.code: org for org in session.exec(select(Organisation)).all()}
    listed: set[str] = set()
    for partner in config.partners:
        listed.add(partner.code)
        values: dict[str, Any] = {"name": partner.name, "kind": partner.organisation_kind.value,
                                  "themes": config.partner_themes(partner), "active": True}
        if partner.group_chat_id is not None:
            values["group_chat_id"] = partner.group_chat_id
        before = existing.get(partner.code)
        change = Change("partner", partner.code, partner.name)
        organisation = _upsert(session, Organisation, before, code=partner.code, values=values, change=change,
                               report=report)
        wanted = {wijken[code].id for code in config.partner_wijken(partner)}
        if _sync_links(session, organisation=organisation, wanted=wanted) and before is not None:
            _note_update(report, change, ["wijken"])
    unlisted = [org for code, org in existing.items() if code not in listed]
    _retire(session, unlisted, referenced=_referenced_ids(session, table="organisation"), report=report,
            describe=lambda org: Change("partner", org.code, org.name))


def _sync_links(session: Session, *, organisation: Organisation, wanted: set[int | None]) -> bool:
    """Make the organisation serve exactly the wanted wijken; whether anything changed."""
    links = session.exec(select(OrganisationWijk).where(OrganisationWijk.organisation_id == organisation.id)).all()
    have = {link.wijk_id for link in links}
    for link in links:
        if link.wijk_id not in wanted:
            session.delete(link)
    for wijk_id in sorted(w for w in wanted - have if w is not None):
        session.add(OrganisationWijk(organisation_id=organisation.id, wijk_id=wijk_id))
    session.flush()
    return have != wanted


def _upsert(session: Session, table: type[Any], row: Any, *, code: str, values: dict[str, Any],
            change: Change, report: LoadReport) -> Any:
    """Create the row with this code, or update the fields that differ; the change goes in the report."""
    if row is None:
        row = table(code=code, **values)
        session.add(row)
        session.flush()
        report.created.append(change)
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        session.add(row)
        session.flush()
        _note_update(report, change, ["reactivated" if name == "active" else name for name in changed])
    return row


def _note_update(report: LoadReport, change: Change, fields: list[str]) -> None:
    """Record updated fields, merging with an earlier entry for the same item."""
    for index, earlier in enumerate(report.updated):
        if (earlier.kind, earlier.code) == (change.kind, change.code):
            merged = ", ".join(dict.fromkeys([*earlier.detail.split(", "), *fields]))
            report.updated[index] = Change(change.kind, change.code, change.name, merged)
            return
    report.updated.append(Change(change.kind, change.code, change.name, ", ".join(fields)))


def _retire(session: Session, rows: list[Any], *, referenced: set[int], report: LoadReport,
            describe: Callable[[Any], Change]) -> None:
    """Deactivate rows no longer in the file, except those requests refer to (reported as kept)."""
    for row in sorted(rows, key=lambda r: r.id):
        if not row.active:
            continue
        if row.id in referenced:
            report.kept.append(describe(row))
            continue
        row.active = False
        session.add(row)
        report.deactivated.append(describe(row))
    session.flush()


def _referenced_ids(session: Session, *, table: str) -> set[int]:
    """Ids in `table` that a request, or a row about a request (answers, afspraken...), refers to."""
    present = set(sa.inspect(session.connection()).get_table_names())
    ids: set[int] = set()
    for candidate in SQLModel.metadata.sorted_tables:
        if candidate.name not in present or not _about_requests(candidate):
            continue
        for foreign_key in candidate.foreign_keys:
            if foreign_key.column.table.name == table:
                column = foreign_key.parent
                ids.update(session.exec(select(column).where(column.is_not(None)).distinct()).all())
    return ids


def _about_requests(table: sa.Table) -> bool:
    """The request table, or a table with a foreign key to it."""
    return table.name == "request" or any(fk.column.table.name == "request" for fk in table.foreign_keys)


# --- reading back -------------------------------------------------------------------------------


def municipality(session: Session) -> Area | None:
    """The deployment's municipality (the active top area)."""
    return session.exec(
        select(Area).where(Area.kind == AreaKind.MUNICIPALITY).order_by(col(Area.active).desc(), col(Area.id).desc())
    ).first()


def has_areas(session: Session) -> bool:
    """Whether any wijk is configured."""
    return session.exec(select(Area.id).where(Area.kind == AreaKind.WIJK)).first() is not None


@dataclass(frozen=True)
class MeldpuntInfo:
    """The municipal reporting desk for simple complaints."""

    name: str
    phone: str | None = None
    url: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class MunicipalitySettings:
    """Municipality-wide settings from the configuration file, with their defaults."""

    answer_deadline_working_days: int = DEFAULT_ANSWER_DEADLINE_WORKING_DAYS
    contract_period_years: int = DEFAULT_CONTRACT_PERIOD_YEARS
    quiet_start: time = time.fromisoformat(DEFAULT_QUIET_START)
    quiet_end: time = time.fromisoformat(DEFAULT_QUIET_END)
    meldpunt: MeldpuntInfo | None = None
    referral_text: str | None = None
    referral_text_en: str | None = None
    wijk_budget_euros: float | None = None  # every wijk's budget per period (a wijk may override it)

    def is_quiet(self, moment: time) -> bool:
        """Whether a local time of day falls in the quiet hours (which may wrap past midnight)."""
        moment = moment.replace(tzinfo=None)
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= moment < self.quiet_end
        return moment >= self.quiet_start or moment < self.quiet_end

    def referral(self, locale: str) -> str | None:
        """Where residents go with individual matters, in `locale` when available."""
        if locale == "en" and self.referral_text_en:
            return self.referral_text_en
        return self.referral_text


def municipality_settings(session: Session) -> MunicipalitySettings:
    """The settings stored on the municipality area (defaults when none is configured)."""
    top = municipality(session)
    details: dict[str, Any] = dict(top.details or {}) if top else {}
    quiet = details.get("quiet_hours") or {}
    desk = details.get("meldpunt")
    return MunicipalitySettings(
        answer_deadline_working_days=int(details.get("answer_deadline_working_days",
                                                     DEFAULT_ANSWER_DEADLINE_WORKING_DAYS)),
        contract_period_years=int(details.get("contract_period_years", DEFAULT_CONTRACT_PERIOD_YEARS)),
        quiet_start=time.fromisoformat(quiet.get("start", DEFAULT_QUIET_START)),
        quiet_end=time.fromisoformat(quiet.get("end", DEFAULT_QUIET_END)),
        meldpunt=MeldpuntInfo(**desk) if isinstance(desk, dict) and desk.get("name") else None,
        referral_text=details.get("referral_text"),
        referral_text_en=details.get("referral_text_en"),
        wijk_budget_euros=details.get("wijk_budget_euros"),
    )

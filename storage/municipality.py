"""Loading a municipality's areas from its configuration file (idempotent)."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from storage.models import Area, AreaKind
from storage.themes import ensure_themes


def example_config(name: str = "haarlem") -> dict[str, Any]:
    """One of the example configurations shipped in bot/examples."""
    return tomllib.loads(resources.files("bot").joinpath("examples", f"{name}.toml").read_text("utf-8"))


def read_config(path: Path) -> dict[str, Any]:
    """Parse a municipality TOML file."""
    return tomllib.loads(path.read_text("utf-8"))


def load_municipality(session: Session, *, config: dict[str, Any]) -> None:
    """Create or update the areas and themes the configuration describes; deletes nothing."""
    ensure_themes(session)
    info = config["municipality"]
    details = {key: value for key, value in info.items() if key not in {"code", "name"}}
    top = _upsert(session, kind=AreaKind.MUNICIPALITY, code=info["code"], name=info["name"],
                  parent=None, details=details)
    for district in config.get("districts", []):
        parent = _upsert(session, kind=AreaKind.DISTRICT, code=district["code"], name=district["name"],
                         parent=top)
        for wijk in district.get("wijken", []):
            _upsert(session, kind=AreaKind.WIJK, code=wijk["code"], name=wijk["name"], parent=parent,
                    postcodes=wijk.get("postcodes", []), polygon=wijk.get("polygon"))


def _upsert(session: Session, *, kind: AreaKind, code: str, name: str, parent: Area | None,
            postcodes: list[str] | None = None, polygon: dict[str, Any] | None = None,
            details: dict[str, Any] | None = None) -> Area:
    """Create the area with this code, or update it in place."""
    area = session.exec(select(Area).where(Area.code == code)).first() or Area(code=code, kind=kind, name=name)
    area.kind, area.name = kind, name
    area.parent_id = parent.id if parent else None
    area.postcodes = list(postcodes or [])
    area.polygon = polygon
    area.details = dict(details or {})
    session.add(area)
    session.flush()
    return area


def municipality(session: Session) -> Area | None:
    """The deployment's municipality (the top area)."""
    return session.exec(select(Area).where(Area.kind == AreaKind.MUNICIPALITY)).first()


def has_areas(session: Session) -> bool:
    """Whether any wijk is configured."""
    return session.exec(select(Area.id).where(Area.kind == AreaKind.WIJK)).first() is not None

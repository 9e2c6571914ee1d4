"""Finding wijken: by name, 4-digit postcode or a shared location."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process, utils
from sqlmodel import Session, select

from storage.models import Area, AreaKind


def list_wijken(session: Session) -> list[Area]:
    """Every active wijk, by name."""
    return list(session.exec(
        select(Area).where(Area.kind == AreaKind.WIJK, Area.active).order_by(Area.name)
    ).all())


def wijk_by_name(session: Session, *, text: str) -> Area | None:
    """The wijk whose name the text is (forgiving case and small typos)."""
    wijken = list_wijken(session)
    names = {wijk.id: wijk.name for wijk in wijken}
    match = process.extractOne(text, names, scorer=fuzz.WRatio, processor=utils.default_process,
                               score_cutoff=88)
    if match is None:
        return None
    return next(wijk for wijk in wijken if wijk.id == match[2])


def wijken_by_postcode(session: Session, *, postcode: str) -> list[Area]:
    """Wijken that list this 4-digit postcode (a postcode may span several)."""
    digits = postcode.strip()[:4]
    return [wijk for wijk in list_wijken(session) if digits in (wijk.postcodes or [])]


def wijk_at(session: Session, *, latitude: float, longitude: float) -> Area | None:
    """The wijk whose GeoJSON polygon contains the point, if any."""
    for wijk in list_wijken(session):
        if wijk.polygon and _geometry_contains(wijk.polygon, longitude, latitude):
            return wijk
    return None


def _geometry_contains(geometry: dict[str, Any], x: float, y: float) -> bool:
    """Point-in-polygon for GeoJSON Polygon/MultiPolygon (holes respected)."""
    kind = geometry.get("type")
    if kind == "Feature":
        return _geometry_contains(geometry.get("geometry") or {}, x, y)
    if kind == "Polygon":
        polygons = [geometry["coordinates"]]
    elif kind == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        return False
    for rings in polygons:
        if rings and _ring_contains(rings[0], x, y) and not any(_ring_contains(h, x, y) for h in rings[1:]):
            return True
    return False


def _ring_contains(ring: list[list[float]], x: float, y: float) -> bool:
    """Ray casting over one linear ring of [lon, lat] pairs."""
    inside = False
    j = len(ring) - 1
    for i, (xi, yi) in enumerate(ring):
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside

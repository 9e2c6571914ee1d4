"""How precisely a shared location is kept and shown: street level, never a front door."""

from __future__ import annotations

STREET_LEVEL_DECIMALS = 3  # 0.001° is about 110 m north-south and 70 m east-west in the Netherlands
STREET_LEVEL_ZOOM = 16  # the map zoom that shows a few streets around such a point


def street_level(coordinate: float | None) -> float | None:
    """A latitude or longitude rounded to street level (None stays None)."""
    return None if coordinate is None else round(coordinate, STREET_LEVEL_DECIMALS)


def map_link(latitude: float, longitude: float) -> str:
    """An OpenStreetMap link to the point, at street level whatever precision was stored."""
    lat = f"{street_level(latitude):.{STREET_LEVEL_DECIMALS}f}"
    lon = f"{street_level(longitude):.{STREET_LEVEL_DECIMALS}f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map={STREET_LEVEL_ZOOM}/{lat}/{lon}"

"""The municipality configuration file (TOML): its schema and a validation that reports every problem."""

from __future__ import annotations

import json
import re
import tomllib
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from rapidfuzz import process

from storage.models import OrganisationKind
from storage.themes import LEMON_THEMES

DEFAULT_ANSWER_DEADLINE_WORKING_DAYS = 15
DEFAULT_CONTRACT_PERIOD_YEARS = 1
DEFAULT_QUIET_START = "21:00"
DEFAULT_QUIET_END = "08:00"
ALL = "*"

# The Dutch words used in the file, and the English values stored in Organisation.kind.
PARTNER_KINDS: dict[str, OrganisationKind] = {
    "gemeente-afdeling": OrganisationKind.MUNICIPAL_DEPARTMENT,
    "politie": OrganisationKind.POLICE,
    "woningcorporatie": OrganisationKind.HOUSING_CORPORATION,
    "welzijn": OrganisationKind.WELFARE,
    "jeugdwerk": OrganisationKind.YOUTH_WORK,
    "other": OrganisationKind.OTHER,
    "overig": OrganisationKind.OTHER,
}

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_POSTCODE = re.compile(r"^[1-9][0-9]{3}$")
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


class ConfigError(Exception):
    """A configuration file that cannot be used; `problems` lists every problem, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# --- field checks -------------------------------------------------------------------------------


def _check_code(value: str) -> str:
    """Codes are lowercase words joined by dashes."""
    if not _CODE.match(value):
        raise ValueError(f"{value!r} is not a valid code: use lowercase letters, digits and dashes, "
                         "e.g. \"centrum-vijfhoek\"")
    return value


def _postcode_text(value: Any) -> Any:
    """TOML integers are accepted as postcodes too."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _check_postcode(value: str) -> str:
    """A Dutch 4-digit postcode area (PC4)."""
    if not _POSTCODE.match(value):
        raise ValueError(f"{value!r} is not a 4-digit postcode (1000-9999), e.g. \"2011\"")
    return value


def _check_clock(value: str) -> str:
    """A time of day written HH:MM (24-hour clock)."""
    if not _CLOCK.match(value):
        raise ValueError(f"{value!r} is not a time written HH:MM, e.g. \"21:00\"")
    return value


def _check_url(value: str) -> str:
    """A web address."""
    if not value.startswith(("https://", "http://")):
        raise ValueError(f"{value!r} is not a web address starting with https://")
    return value


Code = Annotated[str, Field(max_length=80), AfterValidator(_check_code)]
# A wijk's poster link is t.me/<bot>?start=wijk_<code>, and Telegram allows 64 characters after start=.
WijkCode = Annotated[str, Field(max_length=59), AfterValidator(_check_code)]
# A theme is chosen with the button data intake:theme:<code>, and Telegram allows 64 bytes of button data.
THEME_BUTTON_PREFIX = "intake:theme:"
ThemeCode = Annotated[str, Field(max_length=64 - len(THEME_BUTTON_PREFIX)), AfterValidator(_check_code)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Postcode = Annotated[str, BeforeValidator(_postcode_text), AfterValidator(_check_postcode)]
Clock = Annotated[str, AfterValidator(_check_clock)]
Url = Annotated[str, AfterValidator(_check_url)]
# An amount of money in euros (a whole number or with cents), never negative.
Euros = Annotated[float, Field(ge=0, le=1_000_000_000, strict=True, allow_inf_nan=False)]


def check_geometry(value: Any) -> dict[str, Any]:
    """A GeoJSON Polygon or MultiPolygon with closed rings of [lon, lat] numbers."""
    if not isinstance(value, dict):
        raise ValueError("must be a GeoJSON geometry such as { type = \"Polygon\", coordinates = [...] }")
    unknown = sorted(set(value) - {"type", "coordinates", "bbox", "crs"})
    if unknown:
        raise ValueError(f"unknown GeoJSON member(s) {', '.join(unknown)}")
    kind, coordinates = value.get("type"), value.get("coordinates")
    if kind == "Polygon":
        _check_polygon(coordinates, "")
    elif kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValueError("a MultiPolygon needs a non-empty list of polygons")
        for index, polygon in enumerate(coordinates):
            _check_polygon(polygon, f"polygon {index}: ")
    else:
        raise ValueError(f"type must be \"Polygon\" or \"MultiPolygon\", not {kind!r}")
    return {"type": kind, "coordinates": coordinates}


def _check_polygon(rings: Any, where: str) -> None:
    """A polygon: an outer ring and optional holes."""
    if not isinstance(rings, list) or not rings:
        raise ValueError(f"{where}coordinates must be a non-empty list of rings")
    for index, ring in enumerate(rings):
        _check_ring(ring, f"{where}ring {index}")


def _check_ring(ring: Any, where: str) -> None:
    """A closed linear ring of at least four [lon, lat] positions."""
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValueError(f"{where} needs at least 4 [lon, lat] positions (the last repeats the first)")
    for index, position in enumerate(ring):
        if (not isinstance(position, list) or len(position) not in (2, 3)
                or not all(isinstance(n, int | float) and not isinstance(n, bool) for n in position)):
            raise ValueError(f"{where}, position {index} is not a [lon, lat] pair of numbers")
        lon, lat = position[0], position[1]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"{where}, position {index} is outside [-180..180, -90..90]: [lon, lat] order?")
    if ring[0][:2] != ring[-1][:2]:
        raise ValueError(f"{where} is not closed: the last position must repeat the first")


def read_geometry_file(path: Path) -> dict[str, Any]:
    """The geometry of a GeoJSON file: a geometry, a Feature, or a FeatureCollection of one feature."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ValueError(f"file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read {str(path)!r}: {error}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{str(path)!r} is not valid JSON: {error}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            raise ValueError(f"{str(path)!r} must hold exactly one feature")
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    try:
        return check_geometry(data)
    except ValueError as error:
        raise ValueError(f"{str(path)!r}: {error}") from None


# --- the schema ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    """Unknown keys are mistakes."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class QuietHours(_Strict):
    """Residents get no messages between start and end (may wrap past midnight)."""

    start: Clock = DEFAULT_QUIET_START
    end: Clock = DEFAULT_QUIET_END

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        """Start and end must differ."""
        if self.start == self.end:
            raise ValueError("start and end are the same time")
        return self


class Meldpunt(_Strict):
    """The reporting desk for simple complaints (meldingen)."""

    name: Name
    phone: str | None = None
    url: Url | None = None
    email: str | None = None


class MunicipalitySection(_Strict):
    """The [municipality] table: the top area and the municipality-wide settings."""

    code: Code
    name: Name
    answer_deadline_working_days: int = Field(default=DEFAULT_ANSWER_DEADLINE_WORKING_DAYS, ge=1, le=60)
    contract_period_years: Literal[1, 2] = DEFAULT_CONTRACT_PERIOD_YEARS
    quiet_hours: QuietHours = Field(default_factory=QuietHours)
    meldpunt: Meldpunt | None = None
    referral_text: str | None = Field(default=None, min_length=1)
    referral_text_en: str | None = Field(default=None, min_length=1)
    wijk_budget_euros: Euros | None = None  # every wijk's budget per period, unless the wijk says otherwise

    def settings(self) -> dict[str, Any]:
        """The settings kept in the municipality area's details JSON."""
        return self.model_dump(mode="json", exclude={"code", "name"}, exclude_none=True)


class ThemeConfig(_Strict):
    """A theme residents can choose."""

    code: ThemeCode
    name: Name
    name_en: Name | None = None


class BuurtConfig(_Strict):
    """A buurt inside a wijk."""

    code: Code
    name: Name


class WijkConfig(_Strict):
    """A wijk: where requests are filed."""

    code: WijkCode
    name: Name
    postcodes: list[Postcode] = Field(default_factory=list)
    polygon: dict[str, Any] | None = None
    polygon_file: str | None = None
    buurten: list[BuurtConfig] = Field(default_factory=list)
    budget_euros: Euros | None = None  # this wijk's budget per period (overrides wijk_budget_euros)

    @field_validator("polygon", mode="after")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        """A valid GeoJSON Polygon or MultiPolygon."""
        return None if value is None else check_geometry(value)

    @field_validator("polygon_file", mode="after")
    @classmethod
    def _polygon_file(cls, value: str | None, info: ValidationInfo) -> str | None:
        """The file exists, holds one polygon, and no inline polygon is given too."""
        if value is None:
            return None
        if info.data.get("polygon") is not None:
            raise ValueError("give either polygon or polygon_file, not both")
        read_geometry_file(_base_dir(info) / value)
        return value

    @model_validator(mode="after")
    def _resolve_polygon_file(self, info: ValidationInfo) -> WijkConfig:
        """Copy the polygon of polygon_file into polygon, so the model stands on its own."""
        if self.polygon_file is not None and self.polygon is None:
            self.polygon = read_geometry_file(_base_dir(info) / self.polygon_file)
        return self


class DistrictConfig(_Strict):
    """A stadsdeel or kern."""

    code: Code
    name: Name
    wijken: list[WijkConfig] = Field(default_factory=list)


class PartnerConfig(_Strict):
    """A partner organisation that answers routed requests."""

    code: Code
    name: Name
    kind: str
    themes: list[str] = Field(min_length=1)
    wijken: list[str] = Field(min_length=1)
    group_chat_id: int | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        """One of the Dutch kind words."""
        if value not in PARTNER_KINDS:
            raise ValueError(f"{value!r} is not a partner kind; use one of: {', '.join(PARTNER_KINDS)}")
        return value

    @field_validator("group_chat_id")
    @classmethod
    def _group(cls, value: int | None) -> int | None:
        """Telegram group ids are negative."""
        if value is not None and value >= 0:
            raise ValueError("a Telegram group id is negative, e.g. -1001234567890")
        return value

    @property
    def organisation_kind(self) -> OrganisationKind:
        """The English kind stored in Organisation.kind."""
        return PARTNER_KINDS[self.kind]


class MunicipalityConfig(_Strict):
    """A whole configuration file."""

    municipality: MunicipalitySection
    themes: list[ThemeConfig] | None = Field(default=None, min_length=1)
    districts: list[DistrictConfig] = Field(min_length=1)
    partners: list[PartnerConfig] = Field(default_factory=list)

    def theme_rows(self) -> tuple[tuple[str, str, str], ...]:
        """(code, Dutch name, English name) of the themes, in order; the Lemon themes by default."""
        if self.themes is None:
            return LEMON_THEMES
        return tuple((t.code, t.name, t.name_en or t.name) for t in self.themes)

    def wijken(self) -> Iterator[tuple[DistrictConfig, WijkConfig]]:
        """Every wijk with its district, in file order."""
        for district in self.districts:
            for wijk in district.wijken:
                yield district, wijk

    def partner_wijken(self, partner: PartnerConfig) -> list[str]:
        """The wijk codes a partner serves ("*" expanded)."""
        if ALL in partner.wijken:
            return [wijk.code for _district, wijk in self.wijken()]
        return list(dict.fromkeys(partner.wijken))

    def partner_themes(self, partner: PartnerConfig) -> list[str]:
        """The theme codes a partner handles ("*" expanded)."""
        if ALL in partner.themes:
            return [code for code, _nl, _en in self.theme_rows()]
        return list(dict.fromkeys(partner.themes))


def _base_dir(info: ValidationInfo) -> Path:
    """The directory relative file names are resolved against."""
    context = info.context or {}
    return Path(context.get("base_dir", "."))


# --- validation ---------------------------------------------------------------------------------


def validate_config(data: dict[str, Any], *, source: str, base_dir: Path) -> MunicipalityConfig:
    """The validated configuration, or ConfigError listing every problem as `source: key path: what`."""
    problems: list[tuple[str, str]] = []
    config: MunicipalityConfig | None = None
    try:
        config = MunicipalityConfig.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as error:
        problems.extend(_describe(item) for item in error.errors(include_url=False))
    problems.extend(_cross_checks(data))
    if problems or config is None:
        problems.sort(key=lambda problem: _file_order(problem[0]))
        unique = list(dict.fromkeys(f"{source}: {path}: {what}" if path else f"{source}: {what}"
                                    for path, what in problems))
        raise ConfigError(unique)
    return config


def parse_config(text: str, *, source: str, base_dir: Path) -> MunicipalityConfig:
    """Parse TOML text and validate it; syntax errors are reported with their line."""
    return validate_config(parse_toml(text, source=source), source=source, base_dir=base_dir)


def parse_toml(text: str, *, source: str) -> dict[str, Any]:
    """TOML text as a dict, or ConfigError naming the line of the syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        match = _TOML_AT.search(message)
        if match:
            line, column = match.groups()
            raise ConfigError([f"{source}: line {line}: {message[:match.start()]} (column {column})"]) from None
        line_count = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = message.removesuffix(" (at end of document)")
        raise ConfigError([f"{source}: line {line_count}: {where} (at the end of the file)"]) from None


def load_config_file(path: Path) -> MunicipalityConfig:
    """Read, parse and validate a configuration file; polygon_file names are relative to it."""
    source = str(path)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{source}: cannot read the file: {error}"]) from None
    return parse_config(text, source=source, base_dir=path.parent)


def _file_order(path: str) -> tuple[Any, ...]:
    """Sort key that lists problems roughly in the order of the file: section, then entry, then key."""
    sections = list(MunicipalityConfig.model_fields)
    tokens = re.findall(r"[^.\[\]]+", path)
    position = sections.index(tokens[0]) if tokens and tokens[0] in sections else -1
    return (position, *((0, int(token), "") if token.isdigit() else (1, 0, token) for token in tokens[1:]))


def key_path(loc: tuple[int | str, ...]) -> str:
    """`('districts', 2, 'wijken', 0)` → `districts[2].wijken[0]`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _describe(error: Any) -> tuple[str, str]:
    """A pydantic error as (key path, plain-English message)."""
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return key_path(loc), _unknown_key(loc)
    if kind == "missing":
        return key_path(loc), "is required but missing"
    if kind in ("string_type", "str_type"):
        return key_path(loc), "should be text in quotes"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return key_path(loc), "should be a whole number"
    if kind in ("float_type", "float_parsing"):
        return key_path(loc), "should be a number (without quotes), e.g. 50000"
    if kind == "finite_number":
        return key_path(loc), "should be a finite number, e.g. 50000"
    if kind in ("list_type", "tuple_type"):
        return key_path(loc), "should be a list [ ... ]"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return key_path(loc), "should be a table { ... }"
    if kind == "literal_error":
        return key_path(loc), f"should be {error['ctx']['expected']}"
    message = str(error["msg"]).removeprefix("Value error, ").replace("Input should", "should")
    if kind in ("too_short", "string_too_short") and "List" in message:
        message = "must not be empty"
    elif kind == "string_too_short":
        message = "must not be empty"
    return key_path(loc), message


def _unknown_key(loc: tuple[int | str, ...]) -> str:
    """Explain an unknown key, with the allowed ones and a likely intended one."""
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown key"
    allowed = list(model.model_fields)
    message = f"unknown key; allowed here: {', '.join(allowed)}"
    return message + _did_you_mean(str(loc[-1]), allowed)


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that validates the value at `loc`."""
    current: Any = MunicipalityConfig
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            args = typing.get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated."""
    if typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        rest = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        annotation = rest[0] if len(rest) == 1 else annotation
    return annotation


def _did_you_mean(value: str, choices: list[str]) -> str:
    """` (did you mean "x"?)` when a choice is close to the value."""
    match = process.extractOne(value, choices, score_cutoff=75)
    return f" (did you mean {match[0]!r}?)" if match else ""


# --- checks across the file (run on the raw data, so they report even when the schema fails) ----


def _cross_checks(data: Any) -> list[tuple[str, str]]:
    """Unique codes and references that point at things the file defines."""
    if not isinstance(data, dict):
        return [("", "the file must be a TOML document with a [municipality] table")]
    problems: list[tuple[str, str]] = []
    areas = _unique_codes(_area_codes(data), problems, what="area")
    _unique_codes(_listed_codes(data, "themes"), problems, what="theme")
    _unique_codes(_listed_codes(data, "partners"), problems, what="partner")
    wijk_codes = [code for path, code in _area_codes(data) if ".wijken[" in path and ".buurten[" not in path]
    if isinstance(data.get("districts"), list) and data["districts"] and not wijk_codes:
        problems.append(("districts", "no wijk is defined; add [[districts.wijken]]"))
    theme_codes = _theme_codes(data)
    for index, partner in _tables(data.get("partners")):
        _check_references(partner.get("wijken"), f"partners[{index}].wijken", wijk_codes, areas,
                          problems, what="wijk")
        _check_references(partner.get("themes"), f"partners[{index}].themes", theme_codes, {},
                          problems, what="theme")
    return problems


def _tables(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """(index, table) for the tables in a list, skipping malformed entries."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield index, item


def _area_codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(key path, code) of every area in the file."""
    found: list[tuple[str, str]] = []
    top = data.get("municipality")
    if isinstance(top, dict) and isinstance(top.get("code"), str):
        found.append(("municipality.code", top["code"]))
    for d, district in _tables(data.get("districts")):
        _add_code(found, f"districts[{d}]", district)
        for w, wijk in _tables(district.get("wijken")):
            _add_code(found, f"districts[{d}].wijken[{w}]", wijk)
            for b, buurt in _tables(wijk.get("buurten")):
                _add_code(found, f"districts[{d}].wijken[{w}].buurten[{b}]", buurt)
    return found


def _listed_codes(data: dict[str, Any], key: str) -> list[tuple[str, str]]:
    """(key path, code) of the tables in one top-level list."""
    found: list[tuple[str, str]] = []
    for index, table in _tables(data.get(key)):
        _add_code(found, f"{key}[{index}]", table)
    return found


def _add_code(found: list[tuple[str, str]], path: str, table: dict[str, Any]) -> None:
    """Remember the table's code when it has one."""
    if isinstance(table.get("code"), str):
        found.append((f"{path}.code", table["code"]))


def _unique_codes(codes: list[tuple[str, str]], problems: list[tuple[str, str]], *, what: str) -> dict[str, str]:
    """Report codes used twice; returns code → key path of its first use."""
    first: dict[str, str] = {}
    for path, code in codes:
        if code in first:
            problems.append((path, f"{what} code {code!r} is already used at {first[code]}"))
        else:
            first[code] = path
    return first


def _theme_codes(data: dict[str, Any]) -> list[str]:
    """The theme codes partners may refer to."""
    if "themes" not in data:
        return [code for code, _nl, _en in LEMON_THEMES]
    return [code for _path, code in _listed_codes(data, "themes")]


def _check_references(values: Any, path: str, known: list[str], areas: dict[str, str],
                      problems: list[tuple[str, str]], *, what: str) -> None:
    """Each value is a known code, or the list is exactly ["*"]."""
    if not isinstance(values, list):
        return
    if ALL in values and len(values) > 1:
        problems.append((path, f"\"*\" means all {what}s; do not combine it with codes"))
    for index, value in enumerate(values):
        if not isinstance(value, str) or value == ALL or value in known:
            continue
        problems.append((f"{path}[{index}]", _unknown_reference(value, known, areas, what=what)))


def _unknown_reference(value: str, known: list[str], areas: dict[str, str], *, what: str) -> str:
    """Why a code does not resolve, with a hint."""
    if value in areas:
        return f"{value!r} is not a wijk (it is defined at {areas[value]})"
    return f"unknown {what} code {value!r}" + _did_you_mean(value, known)


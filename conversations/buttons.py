"""Button (callback) data: one small class per kind of button, packed into and parsed from text.

Each kind is a frozen dataclass with a readable prefix (`triage:route`), typed fields and
- `pack()`: the callback data, e.g. `triage:route:42`; raises ValueError beyond Telegram's 64 bytes,
- `parse(data)`: the button again, or None for anything else (another kind, garbage, forged numbers),
- `pattern`: the regular expression a CallbackQueryHandler routes on: it takes numbers of any length, so
  a forged number still reaches its handler, where `parse` gives None and the handler refuses kindly.

Anyone can forge button data, so every number in it is bounded: a number that does not fit the
database's integer columns names nothing that exists and does not parse (the handler then refuses
kindly), it is never passed to the database (where it would fail the whole update).

Fields are `int` (an id or a small number), a `Literal[...]` or `StrEnum` (one of a few words), or
`Annotated[str, Code(n)]` (a configured code of at most n characters).
"""

from __future__ import annotations

import enum
import inspect
import re
import typing
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from storage.config import THEME_BUTTON_PREFIX
from storage.models import AnswerCategory, GrantDecision

MAX_ID = 2**31 - 1  # the integer columns (ids) on PostgreSQL; SQLite allows more, but never gets there
MAX_BYTES = 64  # Telegram's limit for a button's callback_data
_NUMBER = re.compile(r"[0-9]{1,10}")  # ASCII digits only: int() would also read other scripts' digits


def parse_number(raw: str | None) -> int | None:
    """A non-negative whole number written in ASCII digits that fits an id column, else None."""
    if raw is None or not _NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def parse_id(data: str | None, position: int = -1) -> int | None:
    """The number at `position` in colon-separated text like `12:3`, else None."""
    parts = (data or "").split(":")
    if not -len(parts) <= position < len(parts):
        return None
    return parse_number(parts[position])


@dataclass(frozen=True)
class Code:
    """A configured code (lowercase letters, digits, dashes, underscores) of at most `max_length` characters."""

    max_length: int

    @property
    def regex(self) -> str:
        return f"[a-z0-9_-]{{1,{self.max_length}}}"


class _Part:
    """How one field is written: its regular expression, reading and writing."""

    def __init__(self, name: str, hint: Any) -> None:
        self.name = name
        self.values: dict[str, Any] = {}  # the words a Literal or enum field allows, and the value each means
        self.number = hint is int
        if self.number:
            self.regex = "[0-9]+"  # routes any number to its handler; parse() reads only those that fit an id
        elif typing.get_origin(hint) is Literal:
            self.values = {str(value): value for value in typing.get_args(hint)}
        elif isinstance(hint, type) and issubclass(hint, enum.Enum):
            self.values = {str(member.value): member for member in hint}
        elif typing.get_origin(hint) is Annotated and isinstance(typing.get_args(hint)[1], Code):
            self.regex = typing.get_args(hint)[1].regex
        else:
            raise TypeError(f"button field {name}: use int, a Literal, an enum or Annotated[str, Code(n)]")
        if self.values:
            self.regex = "|".join(re.escape(value) for value in self.values)

    def read(self, raw: str) -> Any:
        if self.number:
            return parse_number(raw)
        return self.values[raw] if self.values else raw

    def write(self, value: Any) -> str:
        text = str(value.value if isinstance(value, enum.Enum) else value)
        if self.number and not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID):
            raise ValueError(f"{self.name}={value!r} is not an id (0 … {MAX_ID})")
        if self.values and (text not in self.values or self.values[text] != value):
            raise ValueError(f"{self.name}={value!r} is not one of {list(self.values)}")
        if not self.number and not re.fullmatch(self.regex, text):
            raise ValueError(f"{self.name}={value!r} does not fit {self.regex}")
        return text


class Button:
    """Base of every kind of button; subclasses are frozen dataclasses with a `prefix`."""

    prefix: ClassVar[str]
    pattern: ClassVar[re.Pattern[str]]
    _parts: ClassVar[tuple[_Part, ...]]
    kinds: ClassVar[list[type[Button]]] = []  # every kind, for the tests

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        hints = typing.get_type_hints(cls, include_extras=True)
        own = [name for name in inspect.get_annotations(cls) if typing.get_origin(hints[name]) is not ClassVar]
        cls._parts = tuple(_Part(name, hints[name]) for name in own)
        cls.pattern = re.compile("^" + re.escape(cls.prefix) + "".join(f":({p.regex})" for p in cls._parts) + "$")
        Button.kinds.append(cls)

    def pack(self) -> str:
        """The callback data; raises ValueError when a field is out of range or it exceeds 64 bytes."""
        data = ":".join([self.prefix, *(part.write(getattr(self, part.name)) for part in self._parts)])
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"button data {data!r} is longer than {MAX_BYTES} bytes")
        return data

    @classmethod
    def parse(cls, data: str | None) -> Self | None:
        """This kind of button from its callback data, or None when the data is anything else."""
        found = cls.pattern.match(data or "")
        if found is None:
            return None
        values = [part.read(raw) for part, raw in zip(cls._parts, found.groups(), strict=True)]
        if any(value is None for value in values):
            return None
        return cls(*values)


# ── triage: the request card in the wijkraad group, and /wachtrij ─────────────────────────

@dataclass(frozen=True)
class TriageRoute(Button):
    """Route the request: show the wijk's partners to tick."""

    prefix = "triage:route"
    request_id: int


@dataclass(frozen=True)
class TriageRoutePick(Button):
    """Tick or untick one partner on the routing keyboard."""

    prefix = "triage:pick"
    request_id: int
    organisation_id: int


@dataclass(frozen=True)
class TriageRouteSend(Button):
    """Route to the ticked partners."""

    prefix = "triage:route_send"
    request_id: int


@dataclass(frozen=True)
class TriageBack(Button):
    """Back to the card's own buttons."""

    prefix = "triage:back"
    request_id: int


@dataclass(frozen=True)
class TriageMelding(Button):
    """Handle as a simple report (melding)."""

    prefix = "triage:melding"
    request_id: int


@dataclass(frozen=True)
class TriageDuplicate(Button):
    """Mark as a duplicate: show similar open requests."""

    prefix = "triage:duplicate"
    request_id: int


@dataclass(frozen=True)
class TriageDuplicateOf(Button):
    """Merge the request into this similar one."""

    prefix = "triage:duplicate_of"
    request_id: int
    original_id: int


@dataclass(frozen=True)
class TriagePrompt(Button):
    """Ask the member to type something for the request: a reason, a question, a reference or a new text."""

    prefix = "triage"
    action: Literal["out_of_scope", "ask", "duplicate_number", "redact"]
    request_id: int


@dataclass(frozen=True)
class TriageRemovePhotos(Button):
    """Drop the request's photos."""

    prefix = "triage:remove_photos"
    request_id: int


@dataclass(frozen=True)
class TriageShow(Button):
    """Post the request's card (from the queue)."""

    prefix = "triage:show"
    request_id: int


@dataclass(frozen=True)
class TriagePage(Button):
    """Another page of /wachtrij."""

    prefix = "triage:page"
    wijk_id: int
    page: int


# ── answering a routed request (partners) ─────────────────────────────────────────────────

@dataclass(frozen=True)
class AnswerBegin(Button):
    """✍️ answer / 🙅 not ours / ↪️ pass on, under a request routed to a partner."""

    prefix = "answer:begin"
    action: Literal["start", "notours", "pass"]
    route_id: int


@dataclass(frozen=True)
class AnswerCategoryChosen(Button):
    """One of the five answers of the wijkcontract."""

    prefix = "answer:category"
    category: AnswerCategory


@dataclass(frozen=True)
class AnswerAdjusted(Button):
    """Category 3: is the planning adjusted for this request?"""

    prefix = "answer:adjusted"
    adjusted: Literal["yes", "no"]


@dataclass(frozen=True)
class AnswerReason(Button):
    """Category 5: why it cannot be done."""

    prefix = "answer:reason"
    reason: Literal["legal", "policy", "financial"]


@dataclass(frozen=True)
class AnswerNoMeans(Button):
    """Skip the means (budget or capacity)."""

    prefix = "answer:no_means"


@dataclass(frozen=True)
class AnswerSend(Button):
    """Send the previewed answer."""

    prefix = "answer:send"


@dataclass(frozen=True)
class AnswerRestart(Button):
    """Write the answer again."""

    prefix = "answer:restart"


@dataclass(frozen=True)
class AnswerCancel(Button):
    """Stop answering."""

    prefix = "answer:cancel"


@dataclass(frozen=True)
class AnswerPassTo(Button):
    """The partner to pass the request on to."""

    prefix = "answer:pass_to"
    organisation_id: int


@dataclass(frozen=True)
class AnswerOutcome(Button):
    """Give the outcome of a category-4 answer (asked at its decision date)."""

    prefix = "answer:outcome"
    answer_id: int


@dataclass(frozen=True)
class Satisfaction(Button):
    """The resident is satisfied with an answer, or not."""

    prefix = "satisfaction"
    answer_id: int
    verdict: Literal["yes", "no"]


# ── /voortgang: progress on an afspraak ───────────────────────────────────────────────────

@dataclass(frozen=True)
class ProgressPick(Button):
    """The afspraak to report progress on."""

    prefix = "progress:pick"
    afspraak_id: int


@dataclass(frozen=True)
class ProgressPercent(Button):
    """How far the afspraak is."""

    prefix = "progress:percent"
    percent: Literal[25, 50, 75, 100]


# ── prioritisation votes: setting one up in the wijkraad group, closing it, the residents' ballots ──

@dataclass(frozen=True)
class VoteSetupPick(Button):
    """Tick or untick a request for the vote being set up."""

    prefix = "vote_setup:pick"
    request_id: int


@dataclass(frozen=True)
class VoteSetupPage(Button):
    """Another page of open requests."""

    prefix = "vote_setup:page"
    page: int


@dataclass(frozen=True)
class VoteSetupNext(Button):
    """Done choosing requests."""

    prefix = "vote_setup:next"


@dataclass(frozen=True)
class VoteSetupChoices(Button):
    """How many choices each resident gets."""

    prefix = "vote_setup:choices"
    number: int


@dataclass(frozen=True)
class VoteSetupDays(Button):
    """How many days the vote runs."""

    prefix = "vote_setup:days"
    days: int


@dataclass(frozen=True)
class VoteSetupOpen(Button):
    """Open the vote."""

    prefix = "vote_setup:open"


@dataclass(frozen=True)
class VoteSetupCancel(Button):
    """Stop setting the vote up."""

    prefix = "vote_setup:cancel"


@dataclass(frozen=True)
class VoteClose(Button):
    """Close the vote now."""

    prefix = "vote:close"
    vote_id: int


@dataclass(frozen=True)
class BallotPick(Button):
    """Tick or untick an option on a resident's ballot."""

    prefix = "ballot:pick"
    vote_id: int
    request_id: int


@dataclass(frozen=True)
class BallotSave(Button):
    """Store the ballot."""

    prefix = "ballot:save"
    vote_id: int


# ── /budget: the wijk budget for residents' initiatives (coordinators) ────────────────────

@dataclass(frozen=True)
class BudgetWijk(Button):
    """The wijk whose budget to show."""

    prefix = "budget:wijk"
    wijk_id: int


@dataclass(frozen=True)
class BudgetRequest(Button):
    """An initiative waiting for a decision."""

    prefix = "budget:request"
    request_id: int


@dataclass(frozen=True)
class BudgetDecision(Button):
    """All, part or none of what the initiative asks."""

    prefix = "budget:decide"
    request_id: int
    decision: GrantDecision


@dataclass(frozen=True)
class BudgetSpend(Button):
    """Book an expense on a grant."""

    prefix = "budget:spend"
    grant_id: int


@dataclass(frozen=True)
class BudgetSave(Button):
    """Store the decision."""

    prefix = "budget:save"


@dataclass(frozen=True)
class BudgetDiscard(Button):
    """Do not store the decision."""

    prefix = "budget:discard"


# ── /contract: the wijkcontract, its versions and signing ─────────────────────────────────

@dataclass(frozen=True)
class ContractWijk(Button):
    """The wijk whose current contract to show."""

    prefix = "contract:wijk"
    wijk_id: int


@dataclass(frozen=True)
class ContractVersions(Button):
    """Every version of the wijk's contract so far."""

    prefix = "contract:versions"
    wijk_id: int


@dataclass(frozen=True)
class ContractGet(Button):
    """One version's document again."""

    prefix = "contract:get"
    version_id: int


@dataclass(frozen=True)
class ContractHtml(Button):
    """One version as a web page."""

    prefix = "contract:html"
    version_id: int


@dataclass(frozen=True)
class ContractStartSigning(Button):
    """Offer the concept for signing."""

    prefix = "contract:start_signing"
    version_id: int


@dataclass(frozen=True)
class ContractSignRole(Button):
    """Sign on behalf of the wijkraad or the coordinators."""

    prefix = "contract:sign"
    version_id: int
    party: Literal["wijkraad", "coordinator"]


@dataclass(frozen=True)
class ContractSignOrganisation(Button):
    """Sign on behalf of a partner organisation."""

    prefix = "contract:sign_for"
    version_id: int
    organisation_id: int


# ── /nieuw: a resident files a request ──────────────────────────────────────────────────────

@dataclass(frozen=True)
class IntakeStart(Button):
    """📝 New request (under the welcome)."""

    prefix = "intake:start"


@dataclass(frozen=True)
class IntakeKind(Button):
    """Wish, question, initiative, or a personal matter (which is not filed)."""

    prefix = "intake:kind"
    kind: Literal["wish", "question", "initiative", "personal"]


@dataclass(frozen=True)
class IntakeTheme(Button):
    """A theme, by its configured code (storage/config.py keeps codes short enough for this button)."""

    prefix = THEME_BUTTON_PREFIX.removesuffix(":")
    code: Annotated[str, Code(MAX_BYTES - len(THEME_BUTTON_PREFIX))]


@dataclass(frozen=True)
class IntakeSkip(Button):
    """Skip the photo or the location."""

    prefix = "intake:skip"


@dataclass(frozen=True)
class IntakeSupport(Button):
    """Support a similar open request instead of filing this one."""

    prefix = "intake:support"
    request_id: int


@dataclass(frozen=True)
class IntakeConfirm(Button):
    """Send the request."""

    prefix = "intake:confirm"


@dataclass(frozen=True)
class IntakeChange(Button):
    """Change something before sending."""

    prefix = "intake:change"


@dataclass(frozen=True)
class IntakeEdit(Button):
    """The field to change, or back to the summary."""

    prefix = "intake:edit"
    field: Literal["wijk", "kind", "theme", "text", "photo", "location", "contribution", "volunteers", "budget",
                   "back"]


@dataclass(frozen=True)
class IntakeCancel(Button):
    """Stop; nothing is filed."""

    prefix = "intake:cancel"


# ── residents: following a wijk, supporting a request, the language ───────────────────────

@dataclass(frozen=True)
class FollowWijk(Button):
    """Follow this wijk (from /volg)."""

    prefix = "follow"
    wijk_id: int


@dataclass(frozen=True)
class SupportRequest(Button):
    """Support this open request (from /wijk)."""

    prefix = "support"
    request_id: int


@dataclass(frozen=True)
class LanguageChoice(Button):
    """The language to speak; the handler checks it is one the bot speaks (bot.i18n.LOCALES)."""

    prefix = "language"
    code: Annotated[str, Code(8)]


@dataclass(frozen=True)
class PrivacyErase(Button):
    """Yes, erase my data."""

    prefix = "privacy:erase"


@dataclass(frozen=True)
class PrivacyKeep(Button):
    """No, keep my data."""

    prefix = "privacy:keep"


# ── /stand and /koppel ────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class StandWijk(Button):
    """The wijk whose figures a coordinator wants."""

    prefix = "stand:wijk"
    wijk_id: int


@dataclass(frozen=True)
class GroupLinkChoose(Button):
    """Link this group to a wijkraad or a partner organisation (from /koppel)."""

    prefix = "group_link"
    target: Literal["wijk", "organisation"]
    target_id: int


@dataclass(frozen=True)
class GroupLinkConfirm(Button):
    """Yes, link the group (it was linked to something else)."""

    prefix = "group_link:confirm"
    target: Literal["wijk", "organisation"]
    target_id: int


@dataclass(frozen=True)
class GroupLinkDecline(Button):
    """No, leave the group as it is."""

    prefix = "group_link:decline"


# ── /beheer: coordinators manage members, invitations, intake rounds, periods, budgets ─────

@dataclass(frozen=True)
class AdminMenu(Button):
    """Back to the menu."""

    prefix = "admin:menu"


@dataclass(frozen=True)
class AdminMembers(Button):
    """The members of the coordinator's wijken."""

    prefix = "admin:members"


@dataclass(frozen=True)
class AdminRevoke(Button):
    """Revoke this membership: asks first."""

    prefix = "admin:revoke"
    membership_id: int


@dataclass(frozen=True)
class AdminRevokeConfirm(Button):
    """Yes, revoke this membership."""

    prefix = "admin:revoke_confirm"
    membership_id: int


@dataclass(frozen=True)
class AdminInvite(Button):
    """Invite someone: which role?"""

    prefix = "admin:invite"


@dataclass(frozen=True)
class AdminInviteRole(Button):
    """Invite for the wijkraad or for a partner."""

    prefix = "admin:invite_role"
    role: Literal["wijkraad", "partner"]


@dataclass(frozen=True)
class AdminInviteWijkraad(Button):
    """An invitation to this wijk's wijkraad."""

    prefix = "admin:invite_wijkraad"
    wijk_id: int


@dataclass(frozen=True)
class AdminInvitePartner(Button):
    """An invitation to this partner organisation."""

    prefix = "admin:invite_partner"
    organisation_id: int


@dataclass(frozen=True)
class AdminRounds(Button):
    """The intake rounds of the coordinator's wijken."""

    prefix = "admin:rounds"


@dataclass(frozen=True)
class AdminRoundToggle(Button):
    """Open or close the intake round of this wijk."""

    prefix = "admin:round"
    wijk_id: int


@dataclass(frozen=True)
class AdminPeriods(Button):
    """The contract periods of the coordinator's wijken."""

    prefix = "admin:periods"


@dataclass(frozen=True)
class AdminPeriodStart(Button):
    """Start a new contract period for this wijk."""

    prefix = "admin:period"
    wijk_id: int


@dataclass(frozen=True)
class AdminBudgets(Button):
    """The wijk budgets."""

    prefix = "admin:budgets"


@dataclass(frozen=True)
class AdminBudget(Button):
    """Set this wijk's budget."""

    prefix = "admin:budget"
    wijk_id: int

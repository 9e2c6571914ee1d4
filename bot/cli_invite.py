"""`wijkbot invite` and `wijkbot poster`: deep links and QR codes for roles and for wijken."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import httpx
import qrcode
from sqlmodel import select

from bot.cli_setup import fail, open_database
from storage.invitations import DEFAULT_VALIDITY, create_invitation
from storage.models import Area, AreaKind, MembershipRole, Organisation

WIJK_LINK_PREFIX = "wijk_"
MAX_PAYLOAD = 64


def register(commands: Any) -> None:
    """Add `invite` and `poster` to the `wijkbot` parser."""
    invite = commands.add_parser("invite", help="print a single-use invitation link and QR code for a role")
    invite.add_argument("role", choices=["wijkraad", "partner", "coordinator", "admin"])
    invite.add_argument("target", nargs="?", default="",
                        help="wijk code (wijkraad), organisation code (partner), area code (coordinator)")
    invite.add_argument("--days", type=int, default=DEFAULT_VALIDITY.days, help="valid for this many days")
    invite.add_argument("--qr", type=Path, help="where to write the QR code PNG (default: invite-ROLE-TARGET.png)")
    invite.add_argument("--username", help="the bot's @username (default: asked from the Bot API)")
    invite.set_defaults(func=cmd_invite)

    poster = commands.add_parser("poster", help="print a link and QR code that opens the bot with a wijk chosen")
    poster.add_argument("wijk", help="wijk code")
    poster.add_argument("--qr", type=Path, help="where to write the QR code PNG (default: poster-WIJK.png)")
    poster.add_argument("--username", help="the bot's @username (default: asked from the Bot API)")
    poster.set_defaults(func=cmd_poster)


def bot_username(explicit: str | None) -> str:
    """The bot's username: given, the playground's, or from getMe."""
    if explicit:
        return explicit.lstrip("@")
    from bot.cli import load_settings
    from bot.playground import BOT_USERNAME

    settings = load_settings()
    if settings.token is None:
        return BOT_USERNAME
    url = f"{settings.telegram_api_url}/bot{settings.token.get_secret_value()}/getMe"
    try:
        return httpx.get(url, timeout=10).json()["result"]["username"]
    except (httpx.HTTPError, KeyError, ValueError):
        fail("Could not ask the Bot API for the bot's username; pass --username.")
        raise


def deep_link(username: str, payload: str) -> str:
    """https://t.me/<bot>?start=<payload>."""
    return f"https://t.me/{username}?start={payload}"


def write_qr(link: str, path: Path) -> Path:
    """A PNG QR code for the link."""
    qrcode.make(link).save(path)
    return path


def cmd_invite(args: argparse.Namespace) -> None:
    """Create an invitation and print its link and QR code."""
    role = MembershipRole(args.role)
    username = bot_username(args.username)
    db = open_database()[0]
    with db.transaction_sync() as session:
        area_id = organisation_id = None
        if role == MembershipRole.PARTNER:
            organisation = session.exec(select(Organisation).where(Organisation.code == args.target)).first()
            if organisation is None:
                fail(f"No organisation with code {args.target!r} (see `wijkbot init`).")
            organisation_id = organisation.id
        elif role in (MembershipRole.WIJKRAAD, MembershipRole.COORDINATOR):
            query = select(Area).where(Area.code == args.target)
            if role == MembershipRole.WIJKRAAD:
                query = query.where(Area.kind == AreaKind.WIJK)
            area = session.exec(query).first()
            if area is None:
                fail(f"No {'wijk' if role == MembershipRole.WIJKRAAD else 'area'} with code {args.target!r}.")
            area_id = area.id
        from datetime import timedelta

        payload = create_invitation(session, role=role, area_id=area_id, organisation_id=organisation_id,
                                    valid_for=timedelta(days=args.days))
    db.dispose()
    link = deep_link(username, payload)
    qr = write_qr(link, args.qr or Path(f"invite-{role}-{args.target or 'all'}.png"))
    print(link)
    print(f"QR code: {qr}  (single use, valid for {args.days} days)")


def cmd_poster(args: argparse.Namespace) -> None:
    """Print the wijk's public link and QR code."""
    payload = WIJK_LINK_PREFIX + args.wijk
    if len(payload) > MAX_PAYLOAD:
        fail(f"The wijk code is too long for a Telegram link (max {MAX_PAYLOAD - len(WIJK_LINK_PREFIX)}).")
    username = bot_username(args.username)
    db = open_database()[0]
    with db.read() as session:
        wijk = session.exec(select(Area).where(Area.code == args.wijk, Area.kind == AreaKind.WIJK)).first()
    db.dispose()
    if wijk is None:
        fail(f"No wijk with code {args.wijk!r}.")
    link = deep_link(username, payload)
    qr = write_qr(link, args.qr or Path(f"poster-{args.wijk}.png"))
    print(link)
    print(f"QR code: {qr}  ({wijk.name})")

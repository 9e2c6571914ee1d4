"""/start and /help: what the bot does and does not do, and its commands."""

from __future__ import annotations

from telegram import Update

from bot.context import WijkContext
from bot.i18n import _
from conversations.buttons import IntakeStart
from conversations.keyboards import inline


async def start(update: Update, context: WijkContext) -> None:
    """Greet and explain, with a button to file a request."""
    context.person  # noqa: B018  (registers the person and their language on first contact)
    context.reply(
        _("Hallo! Ik ben Wijkbot. Via mij geef je wensen, vragen en bewonersinitiatieven voor je wijk door.\n\n"
          "De wijkraad bekijkt elk verzoek en legt het voor aan de partners in de wijk: de gemeente, "
          "de politie, woningcorporaties en welzijnswerk. Elk verzoek krijgt een antwoord, en ik laat "
          "je weten wat ermee gebeurt.\n\n"
          "Wat ik niet doe: persoonlijke zaken (zoals een paspoort of een uitkering) en spoed. "
          "Bij gevaar bel je 112."),
        inline([[(_("📝 Nieuw verzoek"), IntakeStart())]]),
    )


async def help_command(update: Update, context: WijkContext) -> None:
    """List the commands."""
    context.reply(
        _("<b>Wat kan ik?</b>\n"
          "/nieuw – een wens, vraag of bewonersinitiatief indienen\n"
          "/mijnverzoeken – je verzoeken en hoe ze ervoor staan\n"
          "/wijk – open verzoeken in je wijk bekijken en steunen\n"
          "/volg – een wijk volgen (maandelijks overzicht); /ontvolg om te stoppen\n"
          "/stem – stemmen over de prioriteiten van een wijk die je volgt\n"
          "/taal – kies je taal (Nederlands of English)\n"
          "/privacy – wat ik bewaar; /mijngegevens en /vergeetmij\n"
          "/annuleer – stoppen met waar je mee bezig bent\n"
          "/help – dit overzicht")
    )

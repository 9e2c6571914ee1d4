"""Residents' rights in chat: /privacy, /mijngegevens (a JSON file) and /vergeetmij (after a confirm step)."""

from __future__ import annotations

import json

from telegram import Update

from bot.context import WijkContext
from bot.i18n import _
from conversations.buttons import PrivacyErase, PrivacyKeep
from conversations.keyboards import inline
from storage.models import Person
from storage.municipality import municipality
from storage.outbox import enqueue
from storage.privacy import erase_person, personal_data


async def explain(update: Update, context: WijkContext) -> None:
    """What is stored, why, for how long, who sees it, who to contact."""
    top = municipality(context.db)
    context.reply(_(
        "<b>Privacy</b>\n"
        "<b>Wat ik bewaar:</b> je Telegram-nummer (om je te kunnen antwoorden), je taal, je wijk, je verzoeken "
        "(tekst, foto's en locatie die je zelf stuurt), wat je steunt of volgt, en je antwoorden op vragen van de "
        "wijkraad. Je naam bewaar ik niet.\n"
        "<b>Waarom:</b> om je verzoek bij de wijkraad en de partners te krijgen en je te laten weten wat ermee "
        "gebeurt (wijkgericht werken van de gemeente {municipality}).\n"
        "<b>Wie ziet wat:</b> de wijkraad en de partners zien je verzoek, nooit wie je bent: zij zien \"bewoner\".\n"
        "<b>Hoe lang:</b> een jaar nadat je verzoek is afgehandeld haal ik de koppeling met jou weg; het verzoek "
        "blijft anoniem bestaan voor de wijk.\n"
        "<b>Je rechten:</b> /mijngegevens stuurt je alles wat ik over je weet; /vergeetmij wist je gegevens.\n"
        "<b>Vragen:</b> neem contact op met de gemeente {municipality}.").format(
        municipality=top.name if top else "?"))


async def export(update: Update, context: WijkContext) -> None:
    """Everything about the person, as a JSON file."""
    data = personal_data(context.db, person=context.person)
    chat_id = update.effective_chat.id
    enqueue(context.db, chat_id=chat_id, method="sendDocument", payload={
        "chat_id": chat_id, "caption": _("Alles wat Wijkbot over je bewaart."),
        "document": {"filename": "mijngegevens.json", "mime_type": "application/json",
                     "content": json.dumps(data, ensure_ascii=False, indent=2, default=str)}})


async def ask_erase(update: Update, context: WijkContext) -> None:
    """The confirm step."""
    context.reply(_("Weet je het zeker? Ik wis je gegevens, je concepten, wat je volgt en steunt. Je verzoeken blijven "
                    "voor de wijk bestaan, maar zonder koppeling met jou. Dit kan niet ongedaan worden gemaakt."),
                  inline([[(_("Ja, wis mijn gegevens"), PrivacyErase()), (_("Nee"), PrivacyKeep())]]))


async def erase(update: Update, context: WijkContext) -> None:
    """Erase now; the goodbye is sent and then forgotten too."""
    query = update.callback_query
    # Always the person's private chat (its id is theirs): the press may come without a message
    # (an inline message, or one too old), or from a group, where the goodbye must not go.
    chat_id = update.effective_user.id
    if PrivacyKeep.parse(query.data) is not None:
        enqueue(context.db, chat_id=chat_id, method="answerCallbackQuery", payload={"callback_query_id": query.id})
        context.edit_markup()
        context.reply(_("Er is niets gewist."), chat_id=chat_id)
        return
    person: Person = context.person
    kept = erase_person(context.db, person=person)
    text = _("Je gegevens zijn gewist. Wat blijft: {count} verzoek(en), zonder koppeling met jou, omdat de wijkraad en "
             "de partners ermee verder werken. Je kunt altijd opnieuw beginnen met /start.").format(count=kept)
    enqueue(context.db, chat_id=chat_id, method="answerCallbackQuery",
            payload={"callback_query_id": query.id}, forget_after_send=True)
    enqueue(context.db, chat_id=chat_id, method="sendMessage",
            payload={"chat_id": chat_id, "text": text, "parse_mode": "HTML"}, forget_after_send=True)
    context.unit.cache.pop("person", None)

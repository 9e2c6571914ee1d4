"""Bot API methods that create, edit and delete messages or answer callbacks."""

from __future__ import annotations

from typing import Any

from .errors import bad_request
from .keyboards import validate_inline_markup, validate_reply_markup
from .media import DEFAULT_PNG
from .models import JSON, Chat, StoredMessage, Upload
from .world import World, now

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

FileInput = Upload | str | None


class SendingMixin(World):
    """sendMessage, sendPhoto, edits, deletions and callback answers."""

    def _reply_target(self, chat: Chat, reply_parameters: Any) -> int | None:
        """Resolve reply_parameters to a message id in the chat."""
        if reply_parameters is None:
            return None
        if not isinstance(reply_parameters, dict) or "message_id" not in reply_parameters:
            raise bad_request("can't parse reply parameters JSON object")
        try:
            message_id = int(reply_parameters["message_id"])
        except (TypeError, ValueError):
            raise bad_request("can't parse reply parameters JSON object") from None
        if chat.live_message(message_id) is not None:
            return message_id
        if reply_parameters.get("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")

    def _caption(
        self, caption: str | None, parse_mode: str | None, entities: list[JSON] | None
    ) -> JSON:
        """Caption fields for a media message (empty when there is no caption)."""
        if not caption:
            return {}
        plain, parsed = self._format(
            caption,
            parse_mode,
            entities,
            limit=MAX_CAPTION_LENGTH,
            too_long="message caption is too long",
            empty=None,
        )
        return {"caption": plain, "raw_caption": caption, "caption_entities": parsed}

    def _post(self, chat: Chat, **fields: Any) -> JSON:
        """Store a bot message and return its Message object."""
        message = self._store_message(chat, True, self.bot_user, **fields)
        return self.message_json(message)

    def send_message(
        self,
        chat_id: int | str,
        text: str,
        parse_mode: str | None = None,
        entities: list[JSON] | None = None,
        reply_markup: Any = None,
        reply_parameters: Any = None,
    ) -> JSON:
        """sendMessage."""
        chat = self._writable_chat(chat_id)
        plain, parsed = self._format(
            text,
            parse_mode,
            entities,
            limit=MAX_TEXT_LENGTH,
            too_long="message is too long",
            empty="message text is empty",
        )
        markup = validate_reply_markup(reply_markup)
        reply_to = self._reply_target(chat, reply_parameters)
        return self._post(
            chat,
            text=plain,
            raw_text=text,
            entities=parsed,
            parse_mode=parse_mode,
            reply_markup=markup,
            reply_to_message_id=reply_to,
        )

    def _send_media(
        self,
        chat: Chat,
        media: Any,
        caption_fields: JSON,
        parse_mode: str | None,
        reply_markup: Any,
        reply_parameters: Any,
    ) -> JSON:
        """Validate common fields, then store the media message built by media()."""
        markup = validate_reply_markup(reply_markup)
        reply_to = self._reply_target(chat, reply_parameters)
        return self._post(
            chat,
            media=media(),
            parse_mode=parse_mode if caption_fields else None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            **caption_fields,
        )

    def send_photo(
        self,
        chat_id: int | str,
        photo: FileInput,
        caption: str | None = None,
        parse_mode: str | None = None,
        caption_entities: list[JSON] | None = None,
        reply_markup: Any = None,
        reply_parameters: Any = None,
    ) -> JSON:
        """sendPhoto with an uploaded file, an existing file_id or a URL."""
        chat = self._writable_chat(chat_id)
        if photo is None or photo == "":
            raise bad_request("there is no photo in the request")
        if isinstance(photo, Upload) and not photo.data:
            raise bad_request("file must be non-empty")
        caption_fields = self._caption(caption, parse_mode, caption_entities)

        def media() -> JSON:
            if isinstance(photo, Upload):
                return {"photo": self.files.add_photo(photo.data)}
            if photo.startswith(("http://", "https://")):
                return {"photo": self.files.add_photo(DEFAULT_PNG)}
            return {"photo": self.files.reuse_photo(photo)}

        if isinstance(photo, str) and not photo.startswith(("http://", "https://")):
            self.files.reuse_photo(photo)
        return self._send_media(
            chat, media, caption_fields, parse_mode, reply_markup, reply_parameters
        )

    def send_document(
        self,
        chat_id: int | str,
        document: FileInput,
        caption: str | None = None,
        parse_mode: str | None = None,
        caption_entities: list[JSON] | None = None,
        reply_markup: Any = None,
        reply_parameters: Any = None,
    ) -> JSON:
        """sendDocument with an uploaded file, an existing file_id or a URL."""
        chat = self._writable_chat(chat_id)
        if document is None or document == "":
            raise bad_request("there is no document in the request")
        if isinstance(document, Upload) and not document.data:
            raise bad_request("file must be non-empty")
        caption_fields = self._caption(caption, parse_mode, caption_entities)

        def media() -> JSON:
            if isinstance(document, Upload):
                stored = self.files.add_document(
                    document.data, document.filename, document.content_type
                )
                return {"document": stored}
            if document.startswith(("http://", "https://")):
                name = document.rstrip("/").rsplit("/", 1)[-1] or "file"
                return {"document": self.files.add_document(b"", name, None)}
            return {"document": self.files.reuse_document(document)}

        if isinstance(document, str) and not document.startswith(("http://", "https://")):
            self.files.reuse_document(document)
        return self._send_media(
            chat, media, caption_fields, parse_mode, reply_markup, reply_parameters
        )

    def send_location(
        self,
        chat_id: int | str,
        latitude: float,
        longitude: float,
        horizontal_accuracy: float | None = None,
        reply_markup: Any = None,
        reply_parameters: Any = None,
    ) -> JSON:
        """sendLocation."""
        chat = self._writable_chat(chat_id)
        if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
            raise bad_request("wrong location specified")
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        return self._send_media(
            chat, lambda: {"location": location}, {}, None, reply_markup, reply_parameters
        )

    def _editable(self, chat_id: int | str, message_id: int | None) -> StoredMessage:
        """The bot message an edit method targets."""
        if message_id is None:
            raise bad_request("message identifier is not specified")
        chat = self._writable_chat(chat_id)
        message = chat.live_message(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _apply_edit(self, message: StoredMessage, **changes: Any) -> JSON:
        """Apply changes unless they change nothing (then fail like Telegram)."""
        before = message.content_key()
        previous = {key: getattr(message, key) for key in changes}
        for key, value in changes.items():
            setattr(message, key, value)
        if message.content_key() == before:
            for key, value in previous.items():
                setattr(message, key, value)
            raise bad_request(NOT_MODIFIED)
        self._mark_edited(message)
        return self.message_json(message)

    def edit_message_text(
        self,
        chat_id: int | str,
        message_id: int | None,
        text: str,
        parse_mode: str | None = None,
        entities: list[JSON] | None = None,
        reply_markup: Any = None,
    ) -> JSON:
        """editMessageText; like Telegram, omitting reply_markup removes the inline keyboard."""
        message = self._editable(chat_id, message_id)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        plain, parsed = self._format(
            text,
            parse_mode,
            entities,
            limit=MAX_TEXT_LENGTH,
            too_long="MESSAGE_TOO_LONG",
            empty="message text is empty",
        )
        markup = validate_inline_markup(reply_markup)
        return self._apply_edit(
            message,
            text=plain,
            raw_text=text,
            entities=parsed,
            parse_mode=parse_mode,
            reply_markup=markup,
        )

    def edit_message_caption(
        self,
        chat_id: int | str,
        message_id: int | None,
        caption: str | None = None,
        parse_mode: str | None = None,
        caption_entities: list[JSON] | None = None,
        reply_markup: Any = None,
    ) -> JSON:
        """editMessageCaption; omitting reply_markup removes the inline keyboard."""
        message = self._editable(chat_id, message_id)
        if message.text is not None:
            raise bad_request("there is no caption in the message to edit")
        fields = self._caption(caption, parse_mode, caption_entities) or {
            "caption": None,
            "raw_caption": None,
            "caption_entities": [],
        }
        markup = validate_inline_markup(reply_markup)
        return self._apply_edit(message, parse_mode=parse_mode, reply_markup=markup, **fields)

    def edit_message_reply_markup(
        self, chat_id: int | str, message_id: int | None, reply_markup: Any = None
    ) -> JSON:
        """editMessageReplyMarkup; no reply_markup removes the inline keyboard."""
        message = self._editable(chat_id, message_id)
        return self._apply_edit(message, reply_markup=validate_inline_markup(reply_markup))

    def delete_message(self, chat_id: int | str, message_id: int | None) -> bool:
        """deleteMessage; the message stays in history marked deleted."""
        chat = self._resolve_chat(chat_id)
        message = chat.live_message(message_id) if message_id is not None else None
        if message is None:
            raise bad_request("message to delete not found")
        if chat.type != "private" and not message.from_bot and not self._bot_is_admin(chat):
            raise bad_request("message can't be deleted")
        message.deleted = True
        message.seq = self._next_seq()
        if message.message_id in chat.pinned:
            chat.pinned.remove(message.message_id)
        self.notifier.notify()
        return True

    def delete_messages(self, chat_id: int | str, message_ids: list[int]) -> bool:
        """deleteMessages; missing messages are skipped like Telegram does."""
        chat = self._resolve_chat(chat_id)
        for message_id in message_ids:
            if chat.live_message(int(message_id)) is not None:
                self.delete_message(chat.id, int(message_id))
        return True

    def answer_callback_query(
        self,
        callback_query_id: str,
        text: str | None = None,
        show_alert: bool = False,
        url: str | None = None,
        cache_time: int | None = None,
    ) -> bool:
        """answerCallbackQuery; each query can be answered once."""
        record = self.callbacks.get(callback_query_id)
        if record is None or record.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answer = {
            "callback_query_id": callback_query_id,
            "text": text,
            "show_alert": show_alert,
            "url": url,
            "cache_time": cache_time,
            "date": now(),
        }
        self.notifier.notify()
        return True

    def send_chat_action(self, chat_id: int | str, action: str | None) -> bool:
        """sendChatAction; the action is recorded on the chat."""
        chat = self._writable_chat(chat_id)
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.chat_actions.append(action)
        self.notifier.notify()
        return True

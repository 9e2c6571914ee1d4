/* Wijkbot playground web chat. Plain JavaScript, no build step, nothing from the network.
 *
 * Everything shown is built as DOM nodes with textContent: formatting comes from the playground's
 * stored entities, never from HTML. Updates arrive as Server-Sent Events from /web/api/events.
 */
"use strict";

(function () {
  const PRESETS = [
    { label: "Leidsebuurt", latitude: 52.377, longitude: 4.627 },
    { label: "Vijfhoek, Raaks en Doelen (centrum)", latitude: 52.385, longitude: 4.632 },
    { label: "Boerhaavewijk (Schalkwijk)", latitude: 52.362, longitude: 4.657 },
    { label: "Amsterdam (buiten de gemeente)", latitude: 52.3731, longitude: 4.8926 },
  ];
  const SAFE_PROTOCOLS = ["http:", "https:", "mailto:", "tel:"];
  const ENTITY_TAGS = {
    bold: "strong",
    italic: "em",
    underline: "u",
    strikethrough: "s",
    code: "code",
    pre: "pre",
    spoiler: "span",
    blockquote: "blockquote",
    expandable_blockquote: "blockquote",
    mention: "span",
    text_mention: "span",
    hashtag: "span",
    cashtag: "span",
    bot_command: "span",
  };

  const $ = (id) => document.getElementById(id);
  const el = {
    app: $("app"),
    persona: $("persona"),
    personaRole: $("persona-role"),
    connection: $("connection"),
    connectionText: $("connection-text"),
    chats: $("chats"),
    chatTitle: $("chat-title"),
    chatMembers: $("chat-members"),
    messages: $("messages"),
    replyBar: $("reply-bar"),
    replyBarLabel: $("reply-bar-label"),
    replyBarQuote: $("reply-bar-quote"),
    replyCancel: $("reply-cancel"),
    attachmentBar: $("attachment-bar"),
    attachmentThumb: $("attachment-thumb"),
    attachmentName: $("attachment-name"),
    attachmentCancel: $("attachment-cancel"),
    composer: $("composer"),
    text: $("composer-text"),
    send: $("send"),
    attach: $("attach"),
    file: $("file"),
    shareLocation: $("share-location"),
    keyboard: $("keyboard"),
    locationDialog: $("location-dialog"),
    locationForm: $("location-form"),
    locationPreset: $("location-preset"),
    locationLat: $("location-lat"),
    locationLon: $("location-lon"),
    locationCancel: $("location-cancel"),
    toast: $("toast"),
  };

  const state = {
    personas: [],
    persona: null, // the persona object
    chats: [], // the persona's chats
    chatId: null, // the open chat
    messages: new Map(), // chat id -> Map(message id -> message view)
    replyTo: new Map(), // chat id -> message id chosen with a reply button
    dismissed: new Map(), // chat id -> message id of a ForceReply the user set aside
    attachment: null, // {file, url}
    source: null,
    sending: false,
    defaultLocation: PRESETS[0],
    nodes: new Map(), // message id -> <li> of the open chat
  };

  // ── small helpers ─────────────────────────────────────────────────────────────────────────────

  function node(tag, className, text) {
    const created = document.createElement(tag);
    if (className) created.className = className;
    if (text !== undefined && text !== null) created.textContent = text;
    return created;
  }

  function safeUrl(value) {
    try {
      const url = new URL(value, window.location.href);
      return SAFE_PROTOCOLS.includes(url.protocol) ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function isPrivate(chatId) {
    return state.persona !== null && Number(chatId) === state.persona.id;
  }

  function chatMessages(chatId) {
    let messages = state.messages.get(Number(chatId));
    if (!messages) {
      messages = new Map();
      state.messages.set(Number(chatId), messages);
    }
    return messages;
  }

  function ordered(chatId) {
    return Array.from(chatMessages(chatId).values())
      .filter((message) => !message.deleted)
      .sort((a, b) => a.message_id - b.message_id);
  }

  function isOwn(message) {
    return !message.from_bot && state.persona !== null && message.from && message.from.id === state.persona.id;
  }

  function senderName(message) {
    if (!message.from) return "";
    const name = [message.from.first_name, message.from.last_name].filter(Boolean).join(" ");
    return name || String(message.from.id);
  }

  function clock(date) {
    return new Date(date * 1000).toLocaleTimeString("nl-NL", { hour: "2-digit", minute: "2-digit" });
  }

  function size(bytes) {
    if (bytes === undefined || bytes === null) return "";
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 102.4) / 10 + " kB";
    return Math.round(bytes / 104857.6) / 10 + " MB";
  }

  function snippet(message) {
    if (!message) return "bericht";
    if (message.text) return message.text.length > 90 ? message.text.slice(0, 90) + "…" : message.text;
    if (message.photo) return "📷 Foto";
    if (message.document) return "📄 " + (message.document.file_name || "Bestand");
    if (message.location) return "📍 Locatie";
    if (message.sticker) return message.sticker.emoji || "Sticker";
    if (message.voice) return "🎤 Spraakbericht";
    if (message.contact) return "👤 Contact";
    return "bericht";
  }

  function status(text, kind) {
    el.connectionText.textContent = text;
    el.connection.dataset.state = kind;
    el.connection.title = text;
  }

  let toastTimer = null;
  function toast(text, long) {
    el.toast.textContent = text;
    el.toast.hidden = false;
    window.clearTimeout(toastTimer);
    toastTimer = window.setTimeout(() => { el.toast.hidden = true; }, long ? 8000 : 3500);
  }

  async function post(path, body) {
    const options = { method: "POST" };
    if (body instanceof FormData) {
      options.body = body;
    } else {
      options.headers = { "Content-Type": "application/json" };
      options.body = JSON.stringify(body);
    }
    const response = await fetch(path, options);
    let answer = {};
    try {
      answer = await response.json();
    } catch (error) {
      answer = { ok: false, error: response.statusText };
    }
    if (!response.ok || answer.ok === false) {
      throw new Error(answer.error || response.statusText || "mislukt");
    }
    return answer;
  }

  function storageKey(chatId) {
    return "wijkbot-seen:" + state.persona.id + ":" + chatId;
  }

  function seen(chatId) {
    try {
      return Number(window.localStorage.getItem(storageKey(chatId)) || 0);
    } catch (error) {
      return 0;
    }
  }

  function markSeen(chatId) {
    const messages = ordered(chatId);
    if (!messages.length) return;
    try {
      window.localStorage.setItem(storageKey(chatId), String(messages[messages.length - 1].message_id));
    } catch (error) {
      /* private browsing: unread counts just stay in memory */
    }
  }

  // ── formatted text from entities (UTF-16 offsets, which is what JavaScript strings count) ──────

  function entityNode(entity, text) {
    const whole = text.slice(entity.offset, entity.offset + entity.length);
    let href = null;
    if (entity.type === "text_link") href = safeUrl(entity.url);
    else if (entity.type === "url") href = safeUrl(/^[a-z][a-z0-9+.-]*:/i.test(whole) ? whole : "//" + whole); // as Telegram: no scheme, web
    else if (entity.type === "email") href = "mailto:" + whole;
    else if (entity.type === "phone_number") href = "tel:" + whole.replace(/[^+0-9]/g, "");
    if (href) {
      const link = node("a", "link");
      link.href = href;
      if (!href.startsWith("mailto:") && !href.startsWith("tel:")) {
        link.target = "_blank";
        link.rel = "noopener noreferrer";
      }
      return link;
    }
    const tag = ENTITY_TAGS[entity.type];
    if (!tag) return null;
    const created = node(tag, "entity-" + entity.type.replace(/_/g, "-"));
    if (entity.type === "pre" && entity.language) created.dataset.language = entity.language;
    return created;
  }

  function formatted(text, entities) {
    const fragment = document.createDocumentFragment();
    if (!text) return fragment;
    const valid = (entities || []).filter(
      (e) => Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0 && e.offset >= 0
        && e.offset < text.length,
    );
    const cuts = new Set([0, text.length]);
    valid.forEach((e) => {
      cuts.add(e.offset);
      cuts.add(Math.min(text.length, e.offset + e.length));
    });
    const points = Array.from(cuts).sort((a, b) => a - b);
    for (let i = 0; i < points.length - 1; i += 1) {
      const start = points[i];
      const end = points[i + 1];
      let current = document.createTextNode(text.slice(start, end));
      const covering = valid
        .filter((e) => e.offset <= start && e.offset + e.length >= end)
        .sort((a, b) => b.offset - a.offset || a.length - b.length); // innermost first
      covering.forEach((entity) => {
        const wrapper = entityNode(entity, text);
        if (wrapper) {
          wrapper.appendChild(current);
          current = wrapper;
        }
      });
      fragment.appendChild(current);
    }
    return fragment;
  }

  // ── keyboards and replies ─────────────────────────────────────────────────────────────────────

  function currentKeyboard(chatId) {
    let keyboard = null;
    ordered(chatId).forEach((message) => {
      const markup = message.reply_markup;
      if (!message.from_bot || !markup) return;
      if (Array.isArray(markup.keyboard)) keyboard = message;
      else if (markup.remove_keyboard) keyboard = null;
    });
    if (keyboard && keyboard.reply_markup.one_time_keyboard) {
      const answered = ordered(chatId).some((m) => isOwn(m) && m.message_id > keyboard.message_id);
      if (answered) return null;
    }
    return keyboard;
  }

  function pendingForceReply(chatId) {
    const messages = ordered(chatId);
    for (let i = messages.length - 1; i >= 0; i -= 1) {
      const message = messages[i];
      if (isOwn(message)) return null; // already answered (or moved on)
      const markup = message.reply_markup;
      if (!message.from_bot || !markup || !markup.force_reply) continue;
      if (state.dismissed.get(Number(chatId)) === message.message_id) return null;
      if (markup.selective && message.reply_to_message_id) {
        const target = chatMessages(chatId).get(message.reply_to_message_id);
        if (target && target.from && state.persona && target.from.id !== state.persona.id) return null;
      }
      return message;
    }
    return null;
  }

  function replyTarget(chatId) {
    const chosen = state.replyTo.get(Number(chatId));
    if (chosen && chatMessages(chatId).has(chosen)) return { message: chatMessages(chatId).get(chosen), forced: false };
    const forced = pendingForceReply(chatId);
    return forced ? { message: forced, forced: true } : null;
  }

  // ── rendering ─────────────────────────────────────────────────────────────────────────────────

  function renderPersonas() {
    el.persona.replaceChildren();
    state.personas.forEach((persona) => {
      const option = node("option", null, persona.first_name + " (" + persona.role_label + ")");
      option.value = String(persona.id);
      el.persona.appendChild(option);
    });
  }

  function unreadCount(chatId) {
    const after = seen(chatId);
    return ordered(chatId).filter((m) => !isOwn(m) && m.message_id > after).length;
  }

  function renderChatList() {
    const focused = document.activeElement && document.activeElement.closest("#chats")
      ? document.activeElement.dataset.chatId : null;
    el.chats.replaceChildren();
    state.chats.forEach((chat) => {
      const item = node("li");
      const button = node("button", "chat-button");
      button.type = "button";
      button.dataset.chatId = String(chat.id);
      if (Number(chat.id) === state.chatId) button.setAttribute("aria-current", "true");
      const title = node("span", "chat-button-title", chat.title);
      const kind = node("span", "chat-button-kind", chat.type === "private" ? "privé" : "groep");
      const messages = ordered(chat.id);
      const last = messages[messages.length - 1];
      const preview = node("span", "chat-button-preview", last ? snippet(last) : "nog geen berichten");
      button.append(title, kind);
      const unread = Number(chat.id) === state.chatId ? 0 : unreadCount(chat.id);
      if (unread) {
        const badge = node("span", "badge", String(unread));
        badge.setAttribute("aria-hidden", "true");
        button.appendChild(badge);
        button.appendChild(node("span", "visually-hidden", unread === 1 ? "1 nieuw bericht" : unread + " nieuwe berichten"));
      }
      button.appendChild(preview);
      button.addEventListener("click", () => openChat(chat.id, true));
      item.appendChild(button);
      el.chats.appendChild(item);
      if (focused === String(chat.id)) button.focus();
    });
  }

  function renderMedia(message, bubble) {
    if (message.photo && message.photo.length) {
      const biggest = message.photo[message.photo.length - 1];
      const link = node("a", "photo");
      link.href = "/web/files/" + encodeURIComponent(biggest.file_id);
      link.target = "_blank";
      link.rel = "noopener";
      const image = node("img");
      image.src = link.href;
      image.alt = message.caption ? "Foto: " + message.caption : "Foto";
      image.loading = "lazy";
      link.appendChild(image);
      bubble.appendChild(link);
    }
    if (message.document) {
      const link = node("a", "document");
      link.href = "/web/files/" + encodeURIComponent(message.document.file_id);
      link.setAttribute("download", message.document.file_name || "");
      link.append(node("span", "document-icon", "📄"), node("span", "document-name", message.document.file_name || "Bestand"),
        node("span", "document-size", size(message.document.file_size)));
      bubble.appendChild(link);
    }
    if (message.location) {
      const where = node("p", "location", "📍 " + message.location.latitude.toFixed(5) + ", "
        + message.location.longitude.toFixed(5));
      bubble.appendChild(where);
    }
    if (message.sticker) bubble.appendChild(node("p", "sticker", message.sticker.emoji || "🖼️"));
    if (message.voice) {
      const link = node("a", "document", "🎤 Spraakbericht (" + (message.voice.duration || 0) + " s)");
      link.href = "/web/files/" + encodeURIComponent(message.voice.file_id);
      link.setAttribute("download", "");
      bubble.appendChild(link);
    }
    if (message.contact) {
      bubble.appendChild(node("p", "contact", "👤 " + (message.contact.first_name || "") + " " + message.contact.phone_number));
    }
  }

  function inlineKeyboard(message) {
    const rows = (message.reply_markup && message.reply_markup.inline_keyboard) || [];
    if (!rows.length) return null;
    const box = node("div", "inline-keyboard");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Knoppen bij dit bericht");
    rows.forEach((row, r) => {
      const line = node("div", "inline-row");
      row.forEach((button, c) => {
        let control;
        const href = button.url ? safeUrl(button.url) : null;
        if (href) {
          control = node("a", "inline-button link-button", button.text + " ↗");
          control.href = href;
          control.target = "_blank";
          control.rel = "noopener noreferrer";
        } else {
          control = node("button", "inline-button", button.text);
          control.type = "button";
          if (button.callback_data !== undefined) {
            control.addEventListener("click", () => press(message, button, control));
          } else if (button.copy_text && button.copy_text.text) {
            control.addEventListener("click", () => copy(button.copy_text.text));
          } else {
            control.disabled = true;
            control.title = "Kan niet in de playground";
          }
        }
        control.dataset.focusKey = "inline-" + r + "-" + c;
        line.appendChild(control);
      });
      box.appendChild(line);
    });
    return box;
  }

  function messageNode(message) {
    const own = isOwn(message);
    const item = node("li", "message " + (own ? "out" : "in") + (message.from_bot ? " bot" : ""));
    item.dataset.messageId = String(message.message_id);
    item.dataset.seq = String(message.seq);
    item.id = "message-" + message.message_id;
    const bubble = node("div", "bubble");
    if (!isPrivate(message.chat_id) && !own) bubble.appendChild(node("p", "sender", senderName(message)));
    if (message.reply_to_message_id) {
      const replied = chatMessages(message.chat_id).get(message.reply_to_message_id);
      const quote = node("a", "quote");
      quote.href = "#message-" + message.reply_to_message_id;
      quote.append(node("span", "quote-sender", replied ? senderName(replied) : "Bericht"),
        node("span", "quote-text", replied && !replied.deleted ? snippet(replied) : "verwijderd bericht"));
      bubble.appendChild(quote);
    }
    renderMedia(message, bubble);
    if (message.text) {
      const text = node("div", "text");
      text.appendChild(formatted(message.text, message.entities));
      bubble.appendChild(text);
    }
    const meta = node("div", "meta");
    if (message.edit_count) meta.appendChild(node("span", "edited", "bewerkt"));
    if (message.pinned) meta.appendChild(node("span", "pinned", "📌"));
    const time = node("time", null, clock(message.date));
    time.dateTime = new Date(message.date * 1000).toISOString();
    meta.appendChild(time);
    // Replies matter in groups (and where the bot asks for one); elsewhere a reply button is only noise.
    if (!isPrivate(message.chat_id) || (message.reply_markup && message.reply_markup.force_reply)) {
      const reply = node("button", "reply-button", "↩");
      reply.type = "button";
      reply.setAttribute("aria-label", "Antwoorden op dit bericht");
      reply.title = "Antwoorden";
      reply.dataset.focusKey = "reply";
      reply.addEventListener("click", () => {
        state.replyTo.set(Number(message.chat_id), message.message_id);
        renderBelow();
        el.text.focus();
      });
      meta.appendChild(reply);
    }
    bubble.appendChild(meta);
    item.appendChild(bubble);
    const keyboard = inlineKeyboard(message);
    if (keyboard) item.appendChild(keyboard);
    return item;
  }

  function renderMessages() {
    if (state.chatId === null) return;
    const list = el.messages;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const active = document.activeElement;
    const wanted = ordered(state.chatId);
    const keep = new Map();
    let refocus = null;
    wanted.forEach((message) => {
      const old = state.nodes.get(message.message_id);
      if (old && old.dataset.seq === String(message.seq)) {
        keep.set(message.message_id, old);
        return;
      }
      const fresh = messageNode(message);
      if (old && active && old.contains(active)) {
        refocus = { item: fresh, key: active.dataset ? active.dataset.focusKey : null };
      }
      keep.set(message.message_id, fresh);
    });
    state.nodes.forEach((old, id) => {
      if (!keep.has(id) && active && old.contains(active)) refocus = { item: null, key: null };
    });
    state.nodes = keep;
    const items = Array.from(keep.values());
    items.forEach((item, index) => {
      if (list.children[index] !== item) list.insertBefore(item, list.children[index] || null);
    });
    while (list.children.length > items.length) list.lastElementChild.remove();
    if (refocus) {
      const target = refocus.item && ((refocus.key && refocus.item.querySelector('[data-focus-key="' + refocus.key + '"]'))
        || refocus.item.querySelector(".inline-button:not([disabled])"));
      (target || el.text).focus({ preventScroll: true });
    }
    if (nearBottom) list.scrollTop = list.scrollHeight;
  }

  function renderKeyboard() {
    const keyboard = state.chatId === null ? null : currentKeyboard(state.chatId);
    el.keyboard.hidden = !keyboard;
    if (!keyboard) {
      const hadFocus = el.keyboard.contains(document.activeElement);
      el.keyboard.replaceChildren();
      if (hadFocus) el.text.focus();
      return keyboard;
    }
    const buttons = Array.from(el.keyboard.querySelectorAll("button"));
    const focusedAt = buttons.indexOf(document.activeElement);
    el.keyboard.replaceChildren();
    keyboard.reply_markup.keyboard.forEach((row) => {
      const line = node("div", "keyboard-row");
      row.forEach((button) => {
        const spec = typeof button === "string" ? { text: button } : button;
        const control = node("button", "keyboard-button", spec.text);
        control.type = "button";
        control.addEventListener("click", () => keyboardPress(spec));
        line.appendChild(control);
      });
      el.keyboard.appendChild(line);
    });
    if (focusedAt >= 0) {
      const again = el.keyboard.querySelectorAll("button");
      const target = again[Math.min(focusedAt, again.length - 1)];
      if (target) target.focus();
    }
    return keyboard;
  }

  function renderBelow() {
    const keyboard = renderKeyboard();
    const target = state.chatId === null ? null : replyTarget(state.chatId);
    el.replyBar.hidden = !target;
    if (target) {
      el.replyBarLabel.textContent = "Antwoord op " + senderName(target.message);
      el.replyBarQuote.textContent = snippet(target.message);
      el.composer.dataset.replyTo = String(target.message.message_id);
    } else {
      delete el.composer.dataset.replyTo;
    }
    const forced = target && target.forced ? target.message.reply_markup : null;
    const placeholder = (forced && forced.input_field_placeholder)
      || (keyboard && keyboard.reply_markup.input_field_placeholder) || "Bericht";
    el.text.placeholder = placeholder;
    el.attachmentBar.hidden = !state.attachment;
    if (state.attachment) {
      el.attachmentName.textContent = state.attachment.file.name + " · " + size(state.attachment.file.size);
      el.attachmentThumb.hidden = !state.attachment.url;
      if (state.attachment.url) el.attachmentThumb.src = state.attachment.url;
    }
  }

  function renderHeader() {
    const chat = state.chats.find((c) => Number(c.id) === state.chatId);
    el.chatTitle.textContent = chat ? chat.title : "Chat";
    if (chat && chat.type !== "private") {
      el.chatMembers.textContent = "Groep · leden: " + chat.members.concat(["Wijkbot"]).join(", ");
    } else {
      el.chatMembers.textContent = chat ? "Privéchat met de bot" : "";
    }
  }

  function renderAll() {
    renderHeader();
    renderChatList();
    renderMessages();
    renderBelow();
    if (state.chatId !== null) markSeen(state.chatId);
  }

  // ── actions ───────────────────────────────────────────────────────────────────────────────────

  function openChat(chatId, focusComposer) {
    state.chatId = Number(chatId);
    state.nodes = new Map();
    el.messages.replaceChildren();
    el.app.dataset.chat = String(chatId);
    window.history.replaceState(null, "", "#persona=" + state.persona.id + "&chat=" + chatId);
    renderAll();
    el.messages.scrollTop = el.messages.scrollHeight;
    if (focusComposer) el.text.focus();
  }

  function connect() {
    if (state.source) state.source.close();
    delete el.app.dataset.synced;
    status("verbinden…", "wait");
    const source = new EventSource("/web/api/events?persona=" + encodeURIComponent(state.persona.id));
    state.source = source;
    source.addEventListener("open", () => status("verbonden", "ok"));
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) status("geen verbinding", "down");
      else status("opnieuw verbinden…", "down");
    });
    source.addEventListener("snapshot", (event) => {
      if (state.source !== source) return;
      const data = JSON.parse(event.data);
      state.chats = data.chats;
      state.messages = new Map();
      data.messages.forEach((m) => chatMessages(m.chat_id).set(m.message_id, m));
      state.nodes = new Map();
      el.messages.replaceChildren();
      renderAll();
      el.messages.scrollTop = el.messages.scrollHeight;
      status("verbonden", "ok");
      el.app.dataset.synced = String(state.persona.id);
    });
    source.addEventListener("messages", (event) => {
      if (state.source !== source) return;
      const data = JSON.parse(event.data);
      data.messages.forEach((m) => chatMessages(m.chat_id).set(m.message_id, m));
      renderAll();
    });
  }

  function choosePersona(id, chatId) {
    const persona = state.personas.find((p) => p.id === Number(id)) || state.personas[0];
    state.persona = persona;
    state.chats = persona.chats;
    state.messages = new Map();
    state.replyTo = new Map();
    state.dismissed = new Map();
    clearAttachment();
    el.persona.value = String(persona.id);
    el.personaRole.textContent = persona.role_label;
    el.app.dataset.persona = String(persona.id);
    const chosen = persona.chats.find((c) => Number(c.id) === Number(chatId)) || persona.chats[0];
    openChat(chosen.id, false);
    connect();
  }

  async function send(body) {
    if (state.sending) return false;
    state.sending = true;
    el.send.disabled = true;
    try {
      await post("/web/api/send", body);
      return true;
    } catch (error) {
      toast("Niet verstuurd: " + error.message, true);
      return false;
    } finally {
      state.sending = false;
      el.send.disabled = false;
    }
  }

  function baseBody() {
    const body = { persona: state.persona.id, chat_id: state.chatId };
    const target = replyTarget(state.chatId);
    if (target) body.reply_to_message_id = target.message.message_id;
    return body;
  }

  function afterSend() {
    state.replyTo.delete(state.chatId);
    renderBelow();
  }

  async function sendComposer() {
    const text = el.text.value;
    if (state.attachment) {
      const form = new FormData();
      const body = baseBody();
      Object.keys(body).forEach((key) => form.append(key, String(body[key])));
      form.append("file", state.attachment.file, state.attachment.file.name);
      if (text.trim()) form.append("caption", text.trim());
      if (await send(form)) {
        el.text.value = "";
        clearAttachment();
        afterSend();
        grow();
      }
      return;
    }
    if (!text.trim()) {
      toast("Typ eerst een bericht.");
      return;
    }
    if (await send({ ...baseBody(), text: text })) {
      el.text.value = "";
      afterSend();
      grow();
    }
  }

  async function keyboardPress(spec) {
    if (spec.request_location) {
      openLocation();
      return;
    }
    if (spec.request_contact) {
      if (await send({ ...baseBody(), contact: true })) afterSend();
      return;
    }
    if (await send({ ...baseBody(), text: spec.text })) afterSend();
  }

  async function press(message, button, control) {
    control.setAttribute("aria-busy", "true");
    control.classList.add("busy");
    try {
      const answer = await post("/web/api/press", {
        persona: state.persona.id, chat_id: message.chat_id, message_id: message.message_id, data: button.callback_data,
      });
      if (answer.answer && answer.answer.text) toast(answer.answer.text, answer.answer.show_alert);
    } catch (error) {
      toast("Knop werkte niet: " + error.message, true);
    } finally {
      control.removeAttribute("aria-busy");
      control.classList.remove("busy");
    }
  }

  function copy(text) {
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(() => toast("Gekopieerd."), () => toast(text, true));
    } else {
      toast(text, true);
    }
  }

  function clearAttachment() {
    if (state.attachment && state.attachment.url) URL.revokeObjectURL(state.attachment.url);
    state.attachment = null;
    el.file.value = "";
  }

  function grow() {
    el.text.style.height = "auto";
    el.text.style.height = Math.min(el.text.scrollHeight, 160) + "px";
  }

  // ── location dialog ───────────────────────────────────────────────────────────────────────────

  function fillPresets() {
    el.locationPreset.replaceChildren();
    PRESETS.forEach((preset, index) => {
      const option = node("option", null, preset.label);
      option.value = String(index);
      el.locationPreset.appendChild(option);
    });
    const own = node("option", null, "Eigen coördinaten");
    own.value = "own";
    el.locationPreset.appendChild(own);
  }

  function openLocation() {
    el.locationPreset.value = "0";
    el.locationLat.value = String(state.defaultLocation.latitude);
    el.locationLon.value = String(state.defaultLocation.longitude);
    el.locationDialog.showModal();
    el.locationPreset.focus();
  }

  // ── wiring ────────────────────────────────────────────────────────────────────────────────────

  function wire() {
    el.persona.addEventListener("change", () => choosePersona(el.persona.value));
    el.composer.addEventListener("submit", (event) => {
      event.preventDefault();
      sendComposer();
    });
    el.text.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendComposer();
      }
    });
    el.text.addEventListener("input", grow);
    el.replyCancel.addEventListener("click", () => {
      const target = replyTarget(state.chatId);
      if (target && target.forced) state.dismissed.set(state.chatId, target.message.message_id);
      state.replyTo.delete(state.chatId);
      renderBelow();
      el.text.focus();
    });
    el.attach.addEventListener("click", () => el.file.click());
    el.file.addEventListener("change", () => {
      const file = el.file.files && el.file.files[0];
      if (!file) return;
      clearAttachment();
      state.attachment = { file: file, url: file.type.startsWith("image/") ? URL.createObjectURL(file) : null };
      renderBelow();
      el.text.focus();
    });
    el.attachmentCancel.addEventListener("click", () => {
      clearAttachment();
      renderBelow();
      el.text.focus();
    });
    el.shareLocation.addEventListener("click", openLocation);
    el.locationPreset.addEventListener("change", () => {
      const preset = PRESETS[Number(el.locationPreset.value)];
      if (preset) {
        el.locationLat.value = String(preset.latitude);
        el.locationLon.value = String(preset.longitude);
      }
    });
    [el.locationLat, el.locationLon].forEach((input) => input.addEventListener("input", () => {
      el.locationPreset.value = "own";
    }));
    el.locationCancel.addEventListener("click", () => el.locationDialog.close());
    el.locationForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!el.locationForm.reportValidity()) return;
      const location = { latitude: Number(el.locationLat.value), longitude: Number(el.locationLon.value) };
      el.locationDialog.close();
      if (await send({ ...baseBody(), location: location })) afterSend();
      el.text.focus();
    });
  }

  async function start() {
    fillPresets();
    wire();
    try {
      const response = await fetch("/web/api/personas");
      const data = await response.json();
      state.personas = data.personas;
      if (data.default_location) state.defaultLocation = data.default_location;
    } catch (error) {
      status("de playground antwoordt niet", "down");
      return;
    }
    renderPersonas();
    const hash = new URLSearchParams(window.location.hash.slice(1));
    choosePersona(hash.get("persona") || state.personas[0].id, hash.get("chat"));
  }

  start();
})();

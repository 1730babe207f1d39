"""What Telegram refuses in outgoing Bot API calls, checked before the call is made.

Plain functions on plain data (no aiogram import): each returns Telegram's own error description
(``"Bad Request: ..."``) or ``None`` when Telegram would accept the value. The strict fake Bot API
server in the tests answers 400 with these descriptions, and the bot can use them to catch a
mistake (an unclosed tag, an oversized button payload) before Telegram does.

The HTML rules follow Telegram's parser (TDLib ``parse_html``): only the documented tags, attributes
in ``name=value`` form, the entities ``&lt; &gt; &amp; &quot;`` and numeric references (any other
``&...`` stays literal text), error offsets in bytes of the UTF-8 text. Lengths are counted after
entity parsing and trimming, in UTF-16 code units, the way Telegram counts them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
MAX_INLINE_BUTTONS_PER_ROW = 8
MAX_REPLY_MARKUP_BYTES = 10_000

EMPTY_TEXT = "Bad Request: message text is empty"
TEXT_TOO_LONG = "Bad Request: message is too long"
CAPTION_TOO_LONG = "Bad Request: message caption is too long"
CALLBACK_ANSWER_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
NOT_UTF8 = "Bad Request: text must be encoded in UTF-8"
UNSUPPORTED_PARSE_MODE = "Bad Request: unsupported parse_mode"
CANT_PARSE_ENTITIES = "Bad Request: can't parse entities: "
BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
BUTTON_TEXT_INVALID = "Bad Request: BUTTON_TEXT_INVALID"
BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
REPLY_MARKUP_TOO_LONG = "Bad Request: reply markup is too long"
CANT_PARSE_BUTTON = "Bad Request: can't parse inline keyboard button: "
TEXT_BUTTONS_UNALLOWED = CANT_PARSE_BUTTON + "Text buttons are unallowed in the inline keyboard"
# Telegram silently uses the first action of a button that has several; the docs say "exactly
# one", and a button with two actions is always a bug in the bot, so the fake refuses it.
SEVERAL_ACTIONS = CANT_PARSE_BUTTON + "exactly one of the optional fields must be used"

SUPPORTED_HTML_TAGS = frozenset(
    {
        "a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
        "tg-emoji", "code", "pre", "blockquote",
    }
)  # fmt: skip

# The order is Telegram's: the first action present decides what the button does.
INLINE_BUTTON_ACTIONS = (
    "url",
    "login_url",
    "callback_data",
    "web_app",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_HTML_SPACES = frozenset(b" \t\r\n\v")
_NAMED_ENTITIES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}
_SURROGATES_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, "
    "check for unmatched surrogate code units"
)


class EntityParseError(ValueError):
    """Telegram's message for text it cannot parse (without the ``Bad Request:`` prefix)."""


# ---------------------------------------------------------------------------------------------
# Public checks


def check_text(text: str | None, parse_mode: str | None = None) -> str | None:
    """The error for a message text (sendMessage, editMessageText), or None if it is fine."""
    if not text:
        return EMPTY_TEXT
    try:
        plain = parse_text(text, parse_mode)
    except RuleViolation as violation:
        return violation.description
    plain = plain.strip()
    if not plain:
        return EMPTY_TEXT
    if utf16_length(plain) > MAX_MESSAGE_LENGTH:
        return TEXT_TOO_LONG
    return None


def check_caption(caption: str | None, parse_mode: str | None = None) -> str | None:
    """The error for a media caption (sendPhoto and friends); no caption is fine."""
    if not caption:
        return None
    try:
        plain = parse_text(caption, parse_mode)
    except RuleViolation as violation:
        return violation.description
    if utf16_length(plain.strip()) > MAX_CAPTION_LENGTH:
        return CAPTION_TOO_LONG
    return None


def check_callback_answer_text(text: str | None) -> str | None:
    """The error for answerCallbackQuery's notification text (plain text, up to 200 characters)."""
    if text is None:
        return None
    if not _is_utf8(text):
        return NOT_UTF8
    if utf16_length(text) > MAX_CALLBACK_ANSWER_LENGTH:
        return CALLBACK_ANSWER_TOO_LONG
    return None


def check_reply_markup(markup: Mapping[str, Any] | None) -> str | None:
    """The error for a reply_markup object (already decoded from JSON), or None."""
    if markup is None:
        return None
    if not isinstance(markup, Mapping):
        return "Bad Request: can't parse reply keyboard markup JSON object"
    if len(json.dumps(markup, ensure_ascii=False).encode()) > MAX_REPLY_MARKUP_BYTES:
        return REPLY_MARKUP_TOO_LONG
    if "inline_keyboard" in markup:
        return _check_inline_keyboard(markup["inline_keyboard"])
    if "keyboard" in markup:
        return _check_reply_keyboard(markup["keyboard"])
    if "remove_keyboard" in markup or "force_reply" in markup:
        return None
    return "Bad Request: can't parse reply keyboard markup JSON object"


def html_to_plain(text: str) -> str:
    """The text a user sees for HTML ``text``: tags removed, entities decoded.

    Text Telegram would refuse is returned unchanged, so a console can still show something.
    """
    try:
        return _parse_html(text)
    except EntityParseError:
        return text


def parse_text(text: str, parse_mode: str | None) -> str:
    """The plain text of ``text`` under ``parse_mode`` (not yet trimmed); raises RuleViolation
    with Telegram's description for text Telegram would refuse to parse."""
    if not _is_utf8(text):
        raise RuleViolation(NOT_UTF8)
    mode = (parse_mode or "").lower()
    parsers = {"": str, "html": _parse_html, "markdownv2": _parse_markdown_v2,
               "markdown": _parse_markdown}  # fmt: skip
    if mode not in parsers:
        raise RuleViolation(UNSUPPORTED_PARSE_MODE)
    try:
        return parsers[mode](text)
    except EntityParseError as error:
        raise RuleViolation(CANT_PARSE_ENTITIES + str(error)) from None


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: what Telegram's limits and entity offsets count."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class RuleViolation(ValueError):
    """Raised by parse_text; ``description`` is Telegram's full error description."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Keyboards


def _check_inline_keyboard(rows: Any) -> str | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return 'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array'
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS:
        return REPLY_MARKUP_TOO_LONG
    if any(len(row) > MAX_INLINE_BUTTONS_PER_ROW for row in rows):
        return REPLY_MARKUP_TOO_LONG
    for row in rows:
        for button in row:
            error = _check_inline_button(button)
            if error:
                return error
    return None


def _check_inline_button(button: Any) -> str | None:
    if not isinstance(button, Mapping):
        return CANT_PARSE_BUTTON + "InlineKeyboardButton must be an Object"
    if "text" not in button:
        return CANT_PARSE_BUTTON + 'Can\'t find field "text"'
    if not isinstance(button["text"], str):
        return CANT_PARSE_BUTTON + 'Field "text" must be of type String'
    if not button["text"].strip():
        return BUTTON_TEXT_INVALID
    actions = [name for name in INLINE_BUTTON_ACTIONS if _is_set(button.get(name))]
    if not actions:
        return TEXT_BUTTONS_UNALLOWED
    if len(actions) > 1:
        return SEVERAL_ACTIONS
    if actions[0] == "callback_data":
        return _check_callback_data(button["callback_data"])
    if actions[0] == "url":
        return _check_button_url(button["url"])
    return None


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value is not False


def _check_callback_data(data: Any) -> str | None:
    if not isinstance(data, str):
        return CANT_PARSE_BUTTON + 'Field "callback_data" must be of type String'
    if not _is_utf8(data) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
        return BUTTON_DATA_INVALID
    return None


def _check_button_url(url: Any) -> str | None:
    if not isinstance(url, str):
        return CANT_PARSE_BUTTON + 'Field "url" must be of type String'
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.lower() not in {"http", "https", "tg"} or not rest.strip():
        return BUTTON_URL_INVALID
    return None


def _check_reply_keyboard(rows: Any) -> str | None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        return 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array'
    for row in rows:
        for button in row:
            text = button.get("text") if isinstance(button, Mapping) else button
            if not isinstance(text, str) or not text.strip():
                return BUTTON_TEXT_INVALID
    return None


# ---------------------------------------------------------------------------------------------
# HTML, as Telegram parses it: byte offsets into the UTF-8 text in every message.


class _Bytes:
    """UTF-8 bytes with a NUL past the end, like the C string Telegram's parser walks."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")
        self.size = len(self.data)

    def __getitem__(self, index: int) -> int:
        return self.data[index] if index < self.size else 0

    def slice(self, start: int, end: int) -> bytes:
        return self.data[start:end]


def _is_space(byte: int) -> bool:
    return byte in _HTML_SPACES


def _is_ascii_alpha(byte: int) -> bool:
    return 65 <= byte <= 90 or 97 <= byte <= 122


def _is_ascii_digit(byte: int) -> bool:
    return 48 <= byte <= 57


def _is_hex_digit(byte: int) -> bool:
    return _is_ascii_digit(byte) or 65 <= byte <= 70 or 97 <= byte <= 102


def _decode_entity(text: _Bytes, pos: int) -> tuple[str, int] | None:
    """The character of the entity at ``pos`` and the position after it, or None (literal)."""
    end = pos + 1
    code = 0
    if text[end] == ord("#"):
        end += 1
        hexadecimal = text[end] == ord("x")
        if hexadecimal:
            end += 1
        is_digit = _is_hex_digit if hexadecimal else _is_ascii_digit
        while is_digit(text[end]):
            code = code * (16 if hexadecimal else 10) + int(chr(text[end]), 16)
            end += 1
            if code >= 0x10FFFF:
                return None
        if code == 0 or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while _is_ascii_alpha(text[end]):
            end += 1
        named = _NAMED_ENTITIES.get(text.slice(pos + 1, end))
        if named is None:
            return None
        char = named
    if text[end] == ord(";"):
        end += 1
    return char, end


def _parse_html(source: str) -> str:
    text = _Bytes(source)
    out: list[str] = []
    open_tags: list[str] = []
    i = 0
    while i < text.size:
        byte = text[i]
        if byte == ord("&"):
            decoded = _decode_entity(text, i)
            if decoded is not None:
                out.append(decoded[0])
                i = decoded[1]
                continue
        if byte != ord("<"):
            run_end = _next_markup(text, i)
            out.append(text.slice(i, run_end).decode("utf-8"))
            i = run_end
            continue
        if text[i + 1] == ord("/"):
            i = _close_tag(text, i, open_tags)
        else:
            i = _open_tag(text, i, open_tags)
    if open_tags:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    plain = "".join(out)
    if any(0xD800 <= ord(char) <= 0xDFFF for char in plain):
        raise EntityParseError(_SURROGATES_ERROR)
    return plain


def _next_markup(text: _Bytes, start: int) -> int:
    end = start + 1
    while end < text.size and text[end] not in (ord("<"), ord("&")):
        end += 1
    return end


def _open_tag(text: _Bytes, begin: int, open_tags: list[str]) -> int:
    """Parses ``<tag attr=value ...>`` at ``begin``; returns the position after ``>``."""
    i = begin + 1
    while text[i] != 0 and not _is_space(text[i]) and text[i] != ord(">"):
        i += 1
    if text[i] == 0:
        raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
    tag = text.slice(begin + 1, i).lower().decode("utf-8", "replace")
    if tag not in SUPPORTED_HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
    attributes: dict[str, str] = {}
    while text[i] != ord(">"):
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] == ord(">"):
            break
        name_begin = i
        while text[i] != 0 and not _is_space(text[i]) and text[i] not in (ord("="), ord(">")):
            i += 1
        name = text.slice(name_begin, i).decode("utf-8", "replace")
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {begin}'
            )
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] != ord("="):
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {begin}'
            )
        i += 1
        while text[i] != 0 and _is_space(text[i]):
            i += 1
        if text[i] == 0:
            raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
        value, i = _attribute_value(text, i)
        if text[i] == 0:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        attributes[name] = value
    _check_tag_attributes(tag, attributes, begin)
    open_tags.append(tag)
    return i + 1


def _attribute_value(text: _Bytes, i: int) -> tuple[str, int]:
    if text[i] not in (ord("'"), ord('"')):
        # An unquoted name token: letters, digits, periods and hyphens, case-insensitive.
        token_begin = i
        while _is_ascii_alpha(text[i]) or _is_ascii_digit(text[i]) or text[i] in b".-":
            i += 1
        if not _is_space(text[i]) and text[i] != ord(">"):
            raise EntityParseError(f"Unexpected end of name token at byte offset {token_begin}")
        return text.slice(token_begin, i).lower().decode("ascii"), i
    quote = text[i]
    i += 1
    value: list[str] = []
    while text[i] != 0 and text[i] != quote:
        decoded = _decode_entity(text, i) if text[i] == ord("&") else None
        if decoded is not None:
            value.append(decoded[0])
            i = decoded[1]
            continue
        start = i
        i += 1
        while text[i] != 0 and text[i] not in (quote, ord("&")):
            i += 1
        value.append(text.slice(start, i).decode("utf-8", "replace"))
    if text[i] == quote:
        i += 1
    return "".join(value), i


def _check_tag_attributes(tag: str, attributes: Mapping[str, str], begin: int) -> None:
    if tag == "span" and attributes.get("class") != "tg-spoiler":
        raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
    if tag == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
        raise EntityParseError("Invalid custom emoji identifier specified")


def _close_tag(text: _Bytes, begin: int, open_tags: list[str]) -> int:
    """Parses ``</tag>`` (or ``</>``) at ``begin``; returns the position after ``>``."""
    if not open_tags:
        raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
    i = begin + 2
    while text[i] != 0 and not _is_space(text[i]) and text[i] != ord(">"):
        i += 1
    name = text.slice(begin + 2, i).decode("utf-8", "replace")
    while text[i] != 0 and _is_space(text[i]):
        i += 1
    if text[i] != ord(">"):
        raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
    expected = open_tags.pop()
    if name and name != expected:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {begin}, expected "</{expected}>", found "</{name}>"'
        )
    return i + 1


# ---------------------------------------------------------------------------------------------
# Markdown. The bot sends HTML; these are simpler approximations of Telegram's parsers that
# catch the usual mistakes (an unescaped reserved character, an entity never closed).

_MARKDOWN_V2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MARKDOWN_V2_ENTITY_NAMES = {
    "*": "Bold", "_": "Italic", "__": "Underline", "~": "Strikethrough", "||": "Spoiler",
    "`": "Code", "```": "Pre", "[": "TextUrl",
}  # fmt: skip


def _parse_markdown_v2(text: str) -> str:
    out: list[str] = []
    open_entities: list[tuple[str, int]] = []  # (marker, byte offset)
    i = 0
    line_start = True
    while i < len(text):
        char = text[i]
        offset = len(text[:i].encode())
        in_code = bool(open_entities) and open_entities[-1][0] in ("`", "```")
        if char == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) < 127:
            out.append(text[i + 1])
            i += 2
            line_start = False
            continue
        if in_code and char not in "`\\":
            out.append(char)
            i += 1
            continue
        marker = _markdown_v2_marker(text, i)
        if marker in ("*", "_", "__", "~", "||", "`", "```"):
            if open_entities and open_entities[-1][0] == marker:
                open_entities.pop()
            else:
                open_entities.append((marker, offset))
            i += len(marker)
        elif marker == "[" or (char == "!" and text[i + 1 : i + 2] == "["):
            open_entities.append(("[", offset))
            i += 1 if marker == "[" else 2
        elif char == "]" and open_entities and open_entities[-1][0] == "[":
            open_entities.pop()
            i = _skip_markdown_v2_url(text, i + 1)
        elif char == ">" and line_start:
            i += 1
        elif char in _MARKDOWN_V2_RESERVED:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(char)
            i += 1
        line_start = char == "\n"
    if open_entities:
        marker, offset = open_entities[-1]
        name = _MARKDOWN_V2_ENTITY_NAMES[marker]
        raise EntityParseError(f"Can't find end of {name} entity at byte offset {offset}")
    return "".join(out)


def _markdown_v2_marker(text: str, i: int) -> str:
    for marker in ("```", "__", "||", "*", "_", "~", "`", "["):
        if text.startswith(marker, i):
            return marker
    return ""


def _skip_markdown_v2_url(text: str, i: int) -> int:
    if not text.startswith("(", i):
        return i
    end = i + 1
    while end < len(text) and text[end] != ")":
        end += 2 if text[end] == "\\" else 1
    if end >= len(text):
        raise EntityParseError(f"Can't find end of a URL at byte offset {len(text[:i].encode())}")
    return end + 1


def _parse_markdown(text: str) -> str:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url)."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        marker = "```" if text.startswith("```", i) else char
        if marker not in ("*", "_", "`", "```", "["):
            out.append(char)
            i += 1
            continue
        closing = "]" if marker == "[" else marker
        end = text.find(closing, i + len(marker))
        if end == -1:
            offset = len(text[:i].encode())
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {offset}")
        out.append(text[i + len(marker) : end])
        i = end + len(closing)
        if marker == "[" and text.startswith("(", i):
            url_end = text.find(")", i)
            i = url_end + 1 if url_end != -1 else i
    return "".join(out)

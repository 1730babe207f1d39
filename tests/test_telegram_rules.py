"""Telegram's rules for outgoing text and keyboards, with Telegram's own error descriptions."""

from __future__ import annotations

import pytest

from bot import telegram_rules as rules
from bot.telegram_rules import (
    check_callback_answer_text,
    check_caption,
    check_reply_markup,
    check_text,
    html_to_plain,
    utf16_length,
)

PARSE = "Bad Request: can't parse entities: "


def callback_button(text: str = "ok", data: str = "x") -> dict[str, str]:
    return {"text": text, "callback_data": data}


def inline(*rows: list[dict[str, object]]) -> dict[str, object]:
    return {"inline_keyboard": list(rows)}


# --- text -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "\n\n", "<b></b>", "<b> </b>\n"])
def test_empty_text_is_refused(text: str | None) -> None:
    assert check_text(text, "HTML") == "Bad Request: message text is empty"


@pytest.mark.parametrize("parse_mode", [None, "HTML", "html", "MarkdownV2"])
def test_plain_russian_text_is_accepted(parse_mode: str | None) -> None:
    assert check_text("Что обсуждается по космодрому Байконур", parse_mode) is None


def test_limit_is_4096_utf16_units_of_the_visible_text() -> None:
    assert check_text("я" * 4096) is None
    assert check_text("я" * 4097) == "Bad Request: message is too long"
    # An emoji outside the BMP is two UTF-16 code units.
    assert check_text("😀" * 2048) is None
    assert check_text("😀" * 2048 + "a") == "Bad Request: message is too long"


def test_length_is_counted_after_tags_and_entities_are_parsed() -> None:
    body = "&lt;" * 4096  # 16384 characters of markup, 4096 visible ones
    assert check_text(f"<b>{body}</b>", "HTML") is None
    assert check_text(f"<b>{body}x</b>", "HTML") == "Bad Request: message is too long"
    # Without a parse mode the same characters are literal text.
    assert check_text(body, None) == "Bad Request: message is too long"


def test_length_is_counted_after_trimming_whitespace() -> None:
    assert check_text("\n" + "a" * 4096 + "\n   ") is None


def test_unknown_parse_mode_is_refused() -> None:
    assert check_text("hello", "BBCode") == "Bad Request: unsupported parse_mode"


def test_text_that_is_not_utf8_is_refused() -> None:
    assert check_text("broken \ud800 surrogate") == "Bad Request: text must be encoded in UTF-8"


@pytest.mark.parametrize(
    "html",
    [
        "<b>bold</b> <strong>bold</strong> <i>it</i> <em>it</em> <u>u</u> <ins>u</ins>",
        "<s>s</s> <strike>s</strike> <del>s</del>",
        '<span class="tg-spoiler">spoiler</span> <tg-spoiler>spoiler</tg-spoiler>',
        '<a href="https://example.org/?a=1&amp;b=2">link</a> <a href=example.org>x</a>',
        "<code>x &lt; y</code> <pre>block</pre>",
        '<pre><code class="language-python">print(1)</code></pre>',
        "<blockquote>quote</blockquote> <blockquote expandable>long quote</blockquote>",
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
        "<b>bold <i>bold italic <u>and underlined</u></i></b>",
        "<B>upper-case tags</b>",
        "<i>closed by the short form</>",
        "Россия &amp; Казахстан: &quot;сотрудничество&quot; &#8212; &#x2014;",
        "unknown entities stay text: &nbsp; &laquo; &copy; and a bare & sign",
        "a > b is fine, only &lt; would start a tag",
    ],
)
def test_supported_html_is_accepted(html: str) -> None:
    assert check_text(html, "HTML") is None


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<br>line", 'Unsupported start tag "br" at byte offset 0'),
        ("<p>para</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("<!-- comment -->", 'Unsupported start tag "!--" at byte offset 0'),
        # Byte offsets count UTF-8 bytes: "Привет " is 13 bytes.
        ("Привет <div>", 'Unsupported start tag "div" at byte offset 13'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<B>x</B>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</B>"'),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ("<b>x</b></", "Unexpected end tag at byte offset 8"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b", "Unclosed start tag at byte offset 0"),
        (
            "<b class",
            'Expected equal sign in declaration of an attribute of the tag "b" at byte offset 0',
        ),
        ("<b =x>", 'Empty attribute name in the tag "b" at byte offset 0'),
        ("<b x=  ", 'Unclosed start tag "b" at byte offset 0'),
        ("<b x=a,b>", "Unexpected end of name token at byte offset 5"),
        ('<a href="unterminated>x</a>', "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ('<span class="bold">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<tg-emoji>👍</tg-emoji>", "Invalid custom emoji identifier specified"),
        (
            "&#xD83D;",
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units",
        ),
    ],
)
def test_html_mistakes_get_telegrams_descriptions(html: str, error: str) -> None:
    assert check_text(html, "HTML") == PARSE + error


@pytest.mark.parametrize(
    ("markdown", "error"),
    [
        ("Hello.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("1-2", "Character '-' is reserved and must be escaped with the preceding '\\'"),
        ("*bold", "Can't find end of Bold entity at byte offset 0"),
        ("ok _italic", "Can't find end of Italic entity at byte offset 3"),
    ],
)
def test_markdown_v2_mistakes_are_refused(markdown: str, error: str) -> None:
    assert check_text(markdown, "MarkdownV2") == PARSE + error


def test_escaped_markdown_v2_is_accepted() -> None:
    assert (
        check_text("Hello\\. *bold* _it_ [link](https://example\\.org) `1-2`", "MarkdownV2") is None
    )


def test_legacy_markdown_needs_closed_entities() -> None:
    assert check_text("*bold* and _it_", "Markdown") is None
    assert check_text("snake_case", "Markdown") == (
        PARSE + "Can't find end of the entity starting at byte offset 5"
    )


# --- html_to_plain --------------------------------------------------------------------------


def test_html_to_plain_removes_tags_and_decodes_entities() -> None:
    html = '<b>Вопрос</b>: &lt;тег&gt; &amp; <a href="https://x.org">ссылка</a> &nbsp; &#128512;'
    assert html_to_plain(html) == "Вопрос: <тег> & ссылка &nbsp; 😀"


def test_html_to_plain_keeps_text_telegram_would_refuse() -> None:
    assert html_to_plain("1 < 2 <b>") == "1 < 2 <b>"


def test_parse_text_returns_the_visible_text_or_raises_telegrams_description() -> None:
    assert rules.parse_text("<i>a</i> &amp; b", "HTML") == "a & b"
    assert rules.parse_text("<i>a</i>", None) == "<i>a</i>"
    with pytest.raises(rules.RuleViolation) as violation:
        rules.parse_text("<i>a", "HTML")
    assert violation.value.description == (
        PARSE + 'Can\'t find end tag corresponding to start tag "i"'
    )


def test_utf16_length_counts_surrogate_pairs() -> None:
    assert utf16_length("a😀я") == 4


# --- captions and callback answers ----------------------------------------------------------


def test_caption_limit_is_1024() -> None:
    assert check_caption(None) is None
    assert check_caption("") is None
    assert check_caption("x" * 1024) is None
    assert check_caption("x" * 1025) == "Bad Request: message caption is too long"
    assert check_caption("<b>" + "x" * 1024 + "</b>", "HTML") is None
    assert (
        check_caption("<b>x", "HTML")
        == PARSE + 'Can\'t find end tag corresponding to start tag "b"'
    )


def test_callback_answer_text_limit_is_200() -> None:
    assert check_callback_answer_text(None) is None
    assert check_callback_answer_text("") is None
    assert check_callback_answer_text("ы" * 200) is None
    assert check_callback_answer_text("ы" * 201) == "Bad Request: MESSAGE_TOO_LONG"


# --- keyboards ------------------------------------------------------------------------------


def test_no_markup_and_plain_inline_keyboard_are_accepted() -> None:
    assert check_reply_markup(None) is None
    keyboard = inline(
        [callback_button("🗺 Регионы", "s:regions")],
        [{"text": "Сайт", "url": "https://example.org"}],
    )
    assert check_reply_markup(keyboard) is None


def test_callback_data_must_be_1_to_64_bytes_of_utf8() -> None:
    assert check_reply_markup(inline([callback_button(data="x" * 64)])) is None
    assert check_reply_markup(inline([callback_button(data="x" * 65)])) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    # 33 Cyrillic letters are 66 bytes although only 33 characters.
    assert check_reply_markup(inline([callback_button(data="я" * 33)])) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )


def test_button_without_action_is_a_text_button_which_inline_keyboards_refuse() -> None:
    expected = (
        "Bad Request: can't parse inline keyboard button: "
        "Text buttons are unallowed in the inline keyboard"
    )
    assert check_reply_markup(inline([{"text": "no action"}])) == expected
    assert check_reply_markup(inline([{"text": "empty data", "callback_data": ""}])) == expected


def test_button_with_two_actions_is_refused() -> None:
    button = {"text": "both", "callback_data": "x", "url": "https://example.org"}
    assert check_reply_markup(inline([button])) == rules.SEVERAL_ACTIONS


def test_button_text_must_be_present_and_not_blank() -> None:
    assert check_reply_markup(inline([{"callback_data": "x"}])) == (
        "Bad Request: can't parse inline keyboard button: Can't find field \"text\""
    )
    assert (
        check_reply_markup(inline([callback_button(text="")])) == "Bad Request: BUTTON_TEXT_INVALID"
    )
    assert (
        check_reply_markup(inline([callback_button(text="  ")]))
        == "Bad Request: BUTTON_TEXT_INVALID"
    )


def test_url_buttons_need_a_real_url() -> None:
    assert check_reply_markup(inline([{"text": "x", "url": "example"}])) == (
        "Bad Request: BUTTON_URL_INVALID"
    )


def test_at_most_100_buttons_and_8_per_row() -> None:
    row = [callback_button(data=str(n)) for n in range(8)]
    assert check_reply_markup(inline(*[row] * 12, row[:4])) is None  # 100 buttons
    assert (
        check_reply_markup(inline(*[row] * 12, row[:5])) == "Bad Request: reply markup is too long"
    )
    assert check_reply_markup(inline([*row, callback_button()])) == (
        "Bad Request: reply markup is too long"
    )


def test_reply_keyboards_and_removal_are_checked_too() -> None:
    assert check_reply_markup({"keyboard": [[{"text": "Да"}, "Нет"]]}) is None
    assert check_reply_markup({"keyboard": [[{"text": ""}]]}) == "Bad Request: BUTTON_TEXT_INVALID"
    assert check_reply_markup({"remove_keyboard": True}) is None
    assert check_reply_markup({"something": 1}) == (
        "Bad Request: can't parse reply keyboard markup JSON object"
    )

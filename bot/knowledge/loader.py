"""Read and check a knowledge-base file: the TOML project format, plain text or Markdown.

Every problem becomes one ``KnowledgeBaseError`` line, ``path:line: problem`` (or
``path: problem`` when no line applies), so that the editor can jump straight to it. Only the
first problem is reported: fixing it and reloading is quick, and one clear line beats a page.

Rules beyond "the fields are there and have the right types":

* ids (of entries and sections) are 1-32 lowercase latin letters, digits, ``-`` or ``_``:
  buttons carry them in Telegram's 64-byte callback data;
* a question or phrasing is one line of at most 500 characters (it is shown on a button);
  an answer is at most 20,000 characters; the whole file at most 5 MiB;
* the file is a regular file of UTF-8 text: no NUL characters, no devices or pipes. A TOML file
  has at most 200,000 keys, values and tables and no key of more than 16 dotted parts: within
  5 MiB, a hostile file could otherwise make the TOML parser take gigabytes of memory or minutes.
  All of this is checked before parsing, and the size before reading, so any file is refused
  in bounded time and memory;
* two entries may not share an id or a question (the bot could not tell them apart); questions
  that differ only in case, spacing or punctuation are the same question;
* plain-text and Markdown files have no ids: each entry's id is made from its question
  (``bot.knowledge.identity``), so that editing the file around it does not change it;
* every entry names a defined section, and every section has at least one entry. An empty
  section is an error rather than a warning because it would show the user an empty menu;
* unknown keys are errors, so that a typo such as ``phrasing =`` does not silently drop data.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from bot.errors import KnowledgeBaseError
from bot.knowledge.identity import EntryIds, question_key
from bot.knowledge.model import Entry, KnowledgeBase, Section
from bot.knowledge.plaintext import PlainDocument, parse_markdown, parse_pairs, split_lines

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOML_ITEMS = 200_000  # "=", ",", "[" and "{" outside strings: an upper bound on items
MAX_KEY_PARTS = 16  # in a dotted key such as a.b.c; the format itself needs at most 2
MAX_ANSWER_CHARS = 20_000
MAX_QUESTION_CHARS = 500  # also phrasings, synonyms and abbreviations
# A Telegram keyboard takes at most 100 buttons, and the topics menu has one per section plus a
# few more; a menu of more topics than this could not be read on a phone anyway.
MAX_SECTIONS = 90
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
ID_RULE = "use 1-32 lowercase latin letters, digits, '-' or '_'"
PLAINTEXT_SECTION = Section(id="general", title="Вопросы")

TOP_LEVEL_KEYS = ("title", "language", "synonyms", "abbreviations", "sections", "entries")
SECTION_KEYS = ("id", "title")
ENTRY_KEYS = ("id", "section", "question", "answer", "phrasings")


class FileKind(StrEnum):
    TOML = "toml"
    TEXT = "text"
    MARKDOWN = "markdown"


FILE_KINDS = {
    ".toml": FileKind.TOML,
    ".txt": FileKind.TEXT,
    ".md": FileKind.MARKDOWN,
    ".markdown": FileKind.MARKDOWN,
}
KNOWN_KINDS = ".toml (the project format), .txt (plain text) or .md (Markdown)"


def load_knowledge_base(path: Path) -> KnowledgeBase:
    """Load ``path``, in the format its extension names (``FILE_KINDS``)."""
    name = display_path(path)
    text = read_text(path, name)  # a missing file or a device is named before the extension
    return parse_knowledge_base(text, name, kind=file_kind(path, name))


def parse_knowledge_base(text: str, name: str, *, kind: FileKind) -> KnowledgeBase:
    """Parse and check ``text``; ``name`` is how errors refer to the file."""
    if kind is FileKind.TOML:
        return _TomlChecker(text, name).knowledge_base()
    if kind is FileKind.MARKDOWN:
        return _plaintext_knowledge_base(parse_markdown(text, name), name, MARKDOWN_HINT)
    return _plaintext_knowledge_base(PlainDocument(parse_pairs(text, name)), name, TEXT_HINT)


def file_kind(path: Path, name: str) -> FileKind:
    """The format of ``path`` by its extension; any other extension is refused, not guessed."""
    suffix = path.suffix.lower()
    if suffix in FILE_KINDS:
        return FILE_KINDS[suffix]
    found = f"its extension {path.suffix!r}" if suffix else "it has no extension"
    _fail(name, None, f"not a knowledge-base file ({found}): use {KNOWN_KINDS}")


def is_toml(path: Path) -> bool:
    return path.suffix.lower() == ".toml"


def display_path(path: Path) -> str:
    """The path as the operator would type it: relative to the current folder when inside it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_text(path: Path, name: str) -> str:
    """The file's text, refusing anything but a regular UTF-8 text file of at most 5 MiB
    (a leading BOM is dropped)."""
    data = _read_at_most(path, name, MAX_FILE_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        _fail(
            name,
            line,
            f"not UTF-8 encoded (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "save the file as UTF-8",
        )
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        _fail(name, line, "contains a NUL character: this is a binary file, not UTF-8 text")
    return text.removeprefix("\ufeff")


def _read_at_most(path: Path, name: str, limit: int) -> bytes:
    """The file's bytes. Its size is checked before reading and the read is bounded anyway
    (a file may grow meanwhile), so a huge file costs nothing; devices that never end, such
    as /dev/zero, and named pipes, which might never answer, are refused unread."""
    too_large = "file is larger than 5 MiB; a knowledge base must be smaller"
    # O_NONBLOCK: opening a named pipe would otherwise wait for a writer.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        _fail(name, None, "file not found")
    except IsADirectoryError:
        _fail(name, None, "is a directory, expected a knowledge base file")
    except OSError as error:
        _fail(name, None, f"cannot read the file ({error.strerror})")
    try:
        status = os.fstat(descriptor)
        if stat.S_ISDIR(status.st_mode):
            _fail(name, None, "is a directory, expected a knowledge base file")
        if not stat.S_ISREG(status.st_mode):
            _fail(name, None, "is not a regular file (a device or a pipe?), expected a file")
        if status.st_size > limit:
            _fail(name, None, too_large)
        data = _read_up_to(descriptor, limit + 1)
    except OSError as error:
        _fail(name, None, f"cannot read the file ({error.strerror})")
    finally:
        os.close(descriptor)
    if len(data) > limit:
        _fail(name, None, too_large)
    return data


def _read_up_to(descriptor: int, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = os.read(descriptor, min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _fail(name: str, line: int | None, problem: str) -> NoReturn:
    raise KnowledgeBaseError(f"{name}:{line}: {problem}" if line else f"{name}: {problem}")


def _show(value: str, limit: int = 40) -> str:
    """A user-supplied string quoted for a one-line message: escaped, shortened."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


# --- plain text -----------------------------------------------------------------------------


TEXT_HINT = "write a question line followed by its answer line"
MARKDOWN_HINT = "write a '## question' heading with its answer under it"


def _plaintext_knowledge_base(document: PlainDocument, name: str, hint: str) -> KnowledgeBase:
    """Entries named after their questions, so that an id (which owners' phrasings, deep links
    and shared links refer to) stays with its question when the file is edited around it."""
    if not document.pairs:
        _fail(name, None, f"no questions: {hint}")
    sections = _plaintext_sections(document, name)
    first_seen: dict[str, int] = {}
    entries = []
    ids = EntryIds()
    for pair in document.pairs:
        _check_length(name, pair.line, "question", pair.question, MAX_QUESTION_CHARS)
        _check_length(name, pair.answer_line, "answer", pair.answer, MAX_ANSWER_CHARS)
        key = question_key(pair.question)
        if key in first_seen:
            _fail(name, pair.line, f"duplicate question (same as line {first_seen[key]})")
        first_seen[key] = pair.line
        entries.append(
            Entry(
                id=ids.new(pair.question),
                section_id=sections[pair.section].id,
                question=pair.question,
                answer=pair.answer,
            )
        )
    used = [section for title, section in sections.items() if title or _has_default(document)]
    return KnowledgeBase(sections=tuple(used), entries=tuple(entries), title=document.title)


def _has_default(document: PlainDocument) -> bool:
    return any(not pair.section for pair in document.pairs)


def _plaintext_sections(document: PlainDocument, name: str) -> dict[str, Section]:
    """Sections by title: the default one ("") first, then Markdown's ``# Heading`` ones."""
    sections = {"": PLAINTEXT_SECTION}
    ids = EntryIds({PLAINTEXT_SECTION.id})
    for title, line in document.section_lines.items():
        _check_length(name, line, "section title", title, MAX_QUESTION_CHARS)
        sections[title] = Section(id=ids.new(title), title=title)
    if len(sections) - 1 > MAX_SECTIONS:
        line = list(document.section_lines.values())[MAX_SECTIONS]
        _fail(
            name,
            line,
            f"more than {MAX_SECTIONS} sections: a topics menu cannot show them all; "
            "group related questions into fewer sections",
        )
    return sections


def _check_length(name: str, line: int | None, what: str, value: str, limit: int) -> None:
    if len(value) > limit:
        _fail(name, line, f"{what} is too long ({len(value)} characters; the limit is {limit})")


# --- TOML -----------------------------------------------------------------------------------

_TOML_ERROR_RE = re.compile(r"^(?P<message>.*) \(at line (?P<line>\d+), column (?P<column>\d+)\)$")
_TYPE_NAMES: dict[type, str] = {
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    list: "an array",
    dict: "a table",
    datetime: "a date-time",
    date: "a date",
    time: "a time",
}


def _type_name(value: object) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


# Strings and comments, so that what is left is the document's structure. Possessive
# quantifiers keep the scan linear on any input; the closing quotes of a multi-line string may
# be preceded by up to two quotes that belong to it, as the TOML specification says.
_TOML_STRINGS_AND_COMMENTS = re.compile(
    r'"""(?:[^"\\]++|\\.|"{1,2}+(?!"))*+"{3,5}'
    r"|'''(?:[^']++|'{1,2}+(?!'))*+'{3,5}"
    r'|"(?:[^"\\\n]++|\\.)*+"'
    r"|'[^'\n]*+'"
    r"|#[^\n]*+",
    re.DOTALL,
)
_DEEP_KEY_RE = re.compile(rf"(?:\.[ \t]*+[A-Za-z0-9_-]*+[ \t]*+){{{MAX_KEY_PARTS}}}")


def _check_toml_size(text: str, name: str) -> None:
    """Refuse, before parsing, documents that would cost the TOML parser too much. Its memory
    grows with the number of items and with the square of a dotted key's length."""
    structure = _TOML_STRINGS_AND_COMMENTS.sub(_only_newlines, text)  # keeps line numbers
    deep = _DEEP_KEY_RE.search(structure)
    if deep:
        line = structure.count("\n", 0, deep.start()) + 1
        _fail(name, line, f"a key has more than {MAX_KEY_PARTS} dotted parts")
    items = sum(structure.count(mark) for mark in "=,[{")
    if items > MAX_TOML_ITEMS:
        _fail(
            name,
            None,
            f"too many keys, values and tables (more than {MAX_TOML_ITEMS:,}); "
            "a knowledge base must be smaller",
        )


def _only_newlines(match: re.Match[str]) -> str:
    return "\n" * match.group().count("\n")


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    _check_toml_size(text, name)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_ERROR_RE.match(message)
        if found:
            line = int(found["line"])
            message = f"{found['message']} (column {found['column']})"
        else:  # "(at end of document)": point at the last line with something on it
            line = max(1, len(text.rstrip().split("\n")))
            message = message.replace(" (at end of document)", " at the end of the file")
        _fail(name, line, f"TOML syntax error: {message[:1].lower()}{message[1:]}")
    except RecursionError:
        _fail(name, None, "TOML syntax error: arrays or tables are nested too deeply")


_ARRAY_HEADER_RE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?$")
_TABLE_HEADER_RE = re.compile(r"^\s*\[\s*([A-Za-z0-9_\"'. -]+?)\s*\]\s*(#.*)?$")


@dataclass(frozen=True, slots=True)
class _Header:
    line: int  # 1-based
    name: str
    is_array: bool


class _Lines:
    """Finds the line of a table or key in the raw text; tomllib does not keep positions.

    It recognises the usual layout (``[[entries]]`` headers, ``key = value`` lines) and
    answers None for anything else, in which case the message names the entry instead.
    Lookups done for every entry use indexes built once, so that checking a file with many
    entries takes time in proportion to its size; the other lookups happen only for the one
    line an error message names.
    """

    def __init__(self, text: str) -> None:
        self.lines = split_lines(text)
        self.headers: list[_Header] = []
        # Positions in ``headers`` by name, for [[name]] and [name] separately.
        self._positions: dict[tuple[str, bool], list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            if found := _ARRAY_HEADER_RE.match(line):
                header = _Header(number, found[1], is_array=True)
            elif found := _TABLE_HEADER_RE.match(line):
                header = _Header(number, found[1].strip("\"' "), is_array=False)
            else:
                continue
            self._positions.setdefault((header.name, header.is_array), []).append(len(self.headers))
            self.headers.append(header)
        self._id_lines: dict[str, list[int]] | None = None  # built on first use
        self._id_spans: dict[str, list[tuple[int, int]]] = {}

    def array_count(self, name: str) -> int:
        """How many ``[[name]]`` headers there are."""
        return len(self._positions.get((name, True), ()))

    def table(self, name: str, index: int | None = None) -> tuple[int, int] | None:
        """First and last line of ``[name]``, or of the index-th ``[[name]]`` table."""
        matching = self._positions.get((name, index is not None), [])
        if index is not None and index >= len(matching):
            return None
        if not matching:
            return None
        position = matching[index or 0]
        start = self.headers[position].line
        is_last = position + 1 == len(self.headers)
        end = len(self.lines) if is_last else self.headers[position + 1].line - 1
        return start, end

    def top_level(self) -> tuple[int, int]:
        end = self.headers[0].line - 1 if self.headers else len(self.lines)
        return 1, end

    def key(self, span: tuple[int, int] | None, key: str) -> int | None:
        """The line where ``key = ...`` is written inside ``span``."""
        if span is None:
            return None
        pattern = re.compile(
            rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')\s*="
        )
        for number in range(span[0], span[1] + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return None

    def text(self, start: int | None, end: int | None, needle: str) -> int | None:
        """The first line from ``start`` to ``end`` containing ``needle`` as written."""
        if start is None or not needle:
            return start
        last = len(self.lines) if end is None else end
        for number in range(start, last + 1):
            if needle in self.lines[number - 1]:
                return number
        return start

    def id_line(self, kind: str, value: str) -> int | None:
        """Fallback for unusual layouts: the line saying ``id = "value"`` for a ``kind`` table.

        Searched inside ``[[kind]]`` tables, or else after ``kind = [`` (inline tables), so that
        a section and an entry with the same id are not confused.
        """
        spans = self._spans_of(kind)
        starts = [start for start, _ in spans]
        for number in self._lines_saying_id().get(value, []):  # in file order
            position = bisect.bisect_right(starts, number) - 1
            if position >= 0 and number <= spans[position][1]:
                return number
        return None

    def _spans_of(self, kind: str) -> list[tuple[int, int]]:
        if kind not in self._id_spans:
            spans = [self.table(kind, index) for index in range(self.array_count(kind))]
            if not spans:
                start = self.key(self.top_level(), kind)
                spans = [(start, len(self.lines))] if start else []
            self._id_spans[kind] = [span for span in spans if span is not None]
        return self._id_spans[kind]

    def _lines_saying_id(self) -> dict[str, list[int]]:
        if self._id_lines is None:
            self._id_lines = {}
            for number, line in enumerate(self.lines, start=1):
                for found in _ID_VALUE_RE.finditer(line):
                    self._id_lines.setdefault(found[1], []).append(number)
        return self._id_lines


_ID_VALUE_RE = re.compile(r"\bid\s*=\s*[\"']([^\"'\n]*)[\"']")


class _TomlChecker:
    """Checks the parsed TOML document and builds the KnowledgeBase from it."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.data = _parse_toml(text, name)
        self.lines = _Lines(text)
        self.top = self.lines.top_level()

    def knowledge_base(self) -> KnowledgeBase:
        # Checked in the order the parts usually appear in the file.
        self._check_keys(self.data, TOP_LEVEL_KEYS, "", self.top)
        title = self._optional_text("title", "")
        language = self._optional_text("language", "ru")
        synonyms = self._synonyms()
        abbreviations = self._abbreviations()
        sections = self._sections()
        entries = self._entries({section.id for section in sections})
        self._check_sections_used(sections, entries)
        return KnowledgeBase(
            sections=tuple(sections),
            entries=tuple(entries),
            synonyms=synonyms,
            abbreviations=abbreviations,
            title=title,
            language=language,
        )

    # -- helpers

    def fail(self, line: int | None, problem: str) -> NoReturn:
        _fail(self.name, line, problem)

    def _check_keys(
        self,
        table: Mapping[str, Any],
        allowed: tuple[str, ...],
        label: str,
        span: tuple[int, int] | None,
    ) -> None:
        for key in table:
            if key not in allowed:
                line = self.lines.key(span, key) or (span[0] if span else None)
                expected = ", ".join(allowed)
                self.fail(line, f"{label}unknown key {_show(key)} (expected: {expected})")

    def _array_of_tables(self, key: str, header: str) -> list[dict[str, Any]]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            line = self.lines.key(self.top, key) or self._first_header_line(key)
            self.fail(line, f"{key} must be tables, each under its own {header} header")
        return value

    def _first_header_line(self, name: str) -> int | None:
        return next((h.line for h in self.lines.headers if h.name == name), None)

    def _table_span(self, kind: str, index: int, count: int) -> tuple[int, int] | None:
        """Where the index-th [[kind]] table is, if the file writes them all as headers."""
        headers = self.lines.array_count(kind)
        return self.lines.table(kind, index) if headers == count else None

    def _text_field(
        self,
        table: Mapping[str, Any],
        key: str,
        label: str,
        span: tuple[int, int] | None,
        limit: int,
        *,
        one_line: bool,
    ) -> str:
        """A required, non-empty string field of a section or entry, stripped."""
        if key not in table:
            self.fail(span[0] if span else None, f"{label}: {key} is missing")
        value = table[key]
        line = self.lines.key(span, key) or (span[0] if span else None)
        if not isinstance(value, str):
            self.fail(line, f"{label}: {key} must be a string, not {_type_name(value)}")
        value = _clean(value)
        if not value:
            self.fail(line, f"{label}: {key} is empty")
        if one_line and "\n" in value:
            self.fail(line, f"{label}: {key} must be a single line")
        if len(value) > limit:
            self.fail(
                line, f"{label}: {key} is too long ({len(value)} characters; the limit is {limit})"
            )
        return value

    def _identifier(
        self, table: Mapping[str, Any], kind: str, index: int, span: tuple[int, int] | None
    ) -> str:
        label = f"{kind} #{index + 1}"
        if "id" not in table:
            self.fail(span[0] if span else None, f"{label} has no id")
        value = table["id"]
        line = self.lines.key(span, "id") or (span[0] if span else None)
        if not isinstance(value, str):
            self.fail(line, f"{label}: id must be a string, not {_type_name(value)}")
        if not ID_RE.match(value):
            self.fail(line, f"{kind} id {_show(value)} is invalid: {ID_RULE}")
        return value

    # -- parts of the file

    def _sections(self) -> list[Section]:
        tables = self._array_of_tables("sections", "[[sections]]")
        sections: list[Section] = []
        first_line: dict[str, int | None] = {}
        for index, table in enumerate(tables):
            span = self._table_span("sections", index, len(tables))
            section_id = self._identifier(table, "section", index, span)
            span = span or self._id_span("sections", section_id)
            label = f"section {_show(section_id)}"
            self._check_keys(table, SECTION_KEYS, f"{label}: ", span)
            if section_id in first_line:
                line = self.lines.key(span, "id")
                self.fail(
                    line, f"duplicate section id {_show(section_id)}{_seen(first_line, section_id)}"
                )
            first_line[section_id] = self.lines.key(span, "id")
            title = self._text_field(table, "title", label, span, MAX_QUESTION_CHARS, one_line=True)
            sections.append(Section(id=section_id, title=title))
            if len(sections) > MAX_SECTIONS:
                self.fail(
                    self.lines.key(span, "id"),
                    f"more than {MAX_SECTIONS} sections: a topics menu cannot show them all; "
                    "group related questions into fewer sections",
                )
        return sections

    def _id_span(self, kind: str, value: str) -> tuple[int, int] | None:
        line = self.lines.id_line(kind, value)
        return (line, line) if line else None

    def _entries(self, section_ids: set[str]) -> list[Entry]:
        tables = self._array_of_tables("entries", "[[entries]]")
        if not tables:
            self.fail(
                None,
                "no entries: add at least one [[entries]] table with id, section, "
                "question and answer",
            )
        entries: list[Entry] = []
        first_line: dict[str, int | None] = {}
        questions: dict[str, str] = {}
        for index, table in enumerate(tables):
            span = self._table_span("entries", index, len(tables))
            entry_id = self._identifier(table, "entry", index, span)
            span = span or self._id_span("entries", entry_id)
            label = f"entry {_show(entry_id)}"
            self._check_keys(table, ENTRY_KEYS, f"{label}: ", span)
            if entry_id in first_line:
                line = self.lines.key(span, "id")
                self.fail(
                    line, f"duplicate entry id {_show(entry_id)}{_seen(first_line, entry_id)}"
                )
            first_line[entry_id] = self.lines.key(span, "id")
            section_id = self._text_field(table, "section", label, span, 32, one_line=True)
            if section_id not in section_ids:
                known = ", ".join(sorted(section_ids)) or "none, add a [[sections]] table"
                self.fail(
                    self.lines.key(span, "section"),
                    f"{label}: unknown section {_show(section_id)} (sections: {known})",
                )
            question = self._text_field(
                table, "question", label, span, MAX_QUESTION_CHARS, one_line=True
            )
            if question_key(question) in questions:
                other = questions[question_key(question)]
                self.fail(
                    self.lines.key(span, "question"),
                    f"{label}: same question as entry {_show(other)}",
                )
            questions[question_key(question)] = entry_id
            answer = self._text_field(
                table, "answer", label, span, MAX_ANSWER_CHARS, one_line=False
            )
            entries.append(
                Entry(
                    id=entry_id,
                    section_id=section_id,
                    question=question,
                    answer=answer,
                    phrasings=self._phrasings(table, label, span),
                )
            )
        return entries

    def _phrasings(
        self, table: Mapping[str, Any], label: str, span: tuple[int, int] | None
    ) -> tuple[str, ...]:
        value = table.get("phrasings", [])
        line = self.lines.key(span, "phrasings")
        span_end = span[1] if span else None
        return self._string_list(value, f"{label}: phrasings", lambda: line, span_end)

    def _string_list(
        self, value: object, what: str, where: Callable[[], int | None], end: int | None
    ) -> tuple[str, ...]:
        """``where()`` finds the list's line, which only a problem needs (finding it costs a
        search of the file, too much to do for every list of a large file)."""
        if not isinstance(value, list):
            self.fail(where(), f"{what} must be an array of strings, not {_type_name(value)}")
        items = []
        for item in value:
            if not isinstance(item, str):
                self.fail(where(), f"{what} must contain only strings, found {_type_name(item)}")
            cleaned = _clean(item)
            if not cleaned or "\n" in cleaned:
                self.fail(
                    self.lines.text(where(), end, item[:20]),
                    f"{what}: {_show(item)} must be a non-empty single line",
                )
            if len(cleaned) > MAX_QUESTION_CHARS:
                self.fail(
                    self.lines.text(where(), end, item[:20]),
                    f"{what}: {_show(item)} is too long ({len(cleaned)} characters; "
                    f"the limit is {MAX_QUESTION_CHARS})",
                )
            items.append(cleaned)
        return tuple(items)

    def _synonyms(self) -> tuple[tuple[str, ...], ...]:
        value = self.data.get("synonyms", [])
        line = self.lines.key(self.top, "synonyms")
        example = '[["word", "synonym"], ["another", "group"]]'
        if not isinstance(value, list) or not all(isinstance(group, list) for group in value):
            self.fail(line, f"synonyms must be an array of arrays of strings, like {example}")
        groups = []
        for number, group in enumerate(value, start=1):
            first = next((word for word in group if isinstance(word, str)), "")
            where = functools.partial(self._line_with, line, first[:20])
            what = f"synonym group {number}"
            if len(group) < 2:
                self.fail(where(), f"{what} needs at least two words or phrases")
            groups.append(self._string_list(group, what, where, self.top[1]))
        return tuple(groups)

    def _line_with(self, start: int | None, needle: str) -> int | None:
        """The first top-level line from ``start`` on that contains ``needle``."""
        return self.lines.text(start, self.top[1], needle) if start else None

    def _abbreviations(self) -> tuple[tuple[str, str], ...]:
        value = self.data.get("abbreviations", {})
        span = self.lines.table("abbreviations")
        line = span[0] if span else self.lines.key(self.top, "abbreviations")
        if not isinstance(value, dict):
            self.fail(line, f"abbreviations must be a table, not {_type_name(value)}")
        pairs = []
        for short, full in value.items():
            if not isinstance(full, str):
                self.fail(
                    self.lines.key(span, short) or line,
                    f"abbreviation {_show(short)} must be a string, not {_type_name(full)}",
                )
            short_clean, full_clean = _clean(short), _clean(full)
            for part in (short_clean, full_clean):
                if not part or "\n" in part or len(part) > MAX_QUESTION_CHARS:
                    self.fail(
                        self.lines.key(span, short) or line,
                        f"abbreviation {_show(short)}: both sides must be non-empty single "
                        f"lines of at most {MAX_QUESTION_CHARS} characters",
                    )
            pairs.append((short_clean, full_clean))
        return tuple(pairs)

    def _optional_text(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            line = self.lines.key(self.top, key)
            self.fail(line, f"{key} must be a string, not {_type_name(value)}")
        return _clean(value)

    def _check_sections_used(self, sections: list[Section], entries: list[Entry]) -> None:
        used = {entry.section_id for entry in entries}
        for index, section in enumerate(sections):
            if section.id not in used:
                span = self._table_span("sections", index, len(sections))
                span = span or self._id_span("sections", section.id)
                self.fail(
                    self.lines.key(span, "id"),
                    f"section {_show(section.id)} has no entries "
                    "(add entries with this section or remove it)",
                )


def _seen(first_line: Mapping[str, int | None], key: str) -> str:
    line = first_line.get(key)
    return f" (first defined on line {line})" if line else ""


def _clean(value: str) -> str:
    """Trim outer whitespace and use one newline convention (TOML may keep CRs)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()

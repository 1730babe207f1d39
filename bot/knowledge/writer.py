"""Write knowledge bases: ``export`` (a whole file) and ``import`` (a merge that keeps comments).

``dump_knowledge_base`` produces the project format from scratch. ``plan_import`` merges a
plain-text or TOML file into an existing TOML file through tomlkit, which edits the document in
place, so the editor's comments, order and formatting survive; ``plan_merge`` does the same for
a knowledge base in memory (``export`` into the knowledge-base file, with owners' additions).
Nothing is written until the merged text has been loaded back and checked, and then atomically
(temporary file and rename), so a crash never leaves half a knowledge base behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import tomlkit
from tomlkit.items import AoT, Array, String, Table

from bot.errors import KnowledgeBaseError
from bot.knowledge.identity import EntryIds, question_key
from bot.knowledge.loader import (
    ID_RE,
    ID_RULE,
    PLAINTEXT_SECTION,
    FileKind,
    display_path,
    is_toml,
    load_knowledge_base,
    parse_knowledge_base,
    read_text,
)
from bot.knowledge.model import Entry, KnowledgeBase, Section

EXPORT_HEADER = (
    "Knowledge base written by `python -m bot export`. Format: see data/faq.toml in the bot's "
    "repository."
)


# --- export -----------------------------------------------------------------------------------


def dump_knowledge_base(kb: KnowledgeBase, header: str = EXPORT_HEADER) -> str:
    """The project format (what data/faq.toml uses); ``load_knowledge_base`` reads it back equal."""
    top = tomlkit.document()
    if header:
        top.add(tomlkit.comment(header))
        top.add(tomlkit.nl())
    top["title"] = kb.title
    top["language"] = kb.language
    if kb.synonyms:
        top["synonyms"] = _multiline_array([list(group) for group in kb.synonyms])
    parts = [top]
    if kb.abbreviations:
        abbreviations = tomlkit.table()
        for short, full in kb.abbreviations:
            abbreviations[short] = full
        parts.append(tomlkit.document())
        parts[-1]["abbreviations"] = abbreviations
    for key, tables in (
        ("sections", [_section_table(section) for section in kb.sections]),
        ("entries", [_entry_table(entry) for entry in kb.entries]),
    ):
        parts.append(tomlkit.document())
        parts[-1][key] = tomlkit.aot()
        for table in tables:
            parts[-1][key].append(table)
    # Each part is rendered on its own and the parts joined by a blank line: tomlkit puts blank
    # lines between the tables of one array, but not between different tables.
    return "\n".join(tomlkit.dumps(part).strip("\n") + "\n" for part in parts)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so that readers see the old file or the new one."""
    name = display_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise KnowledgeBaseError(f"{name}: cannot write ({path.parent} is not a folder)") from None
    except OSError as error:
        raise KnowledgeBaseError(
            f"{name}: cannot create the folder {path.parent} ({error.strerror})"
        ) from None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as error:
        raise KnowledgeBaseError(f"{name}: cannot write ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(text.encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        if path.exists():
            _copy_mode(path, Path(temporary))
        else:
            os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the file from the bot's user
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise KnowledgeBaseError(f"{name}: cannot write ({error.strerror})") from None


def _copy_mode(source: Path, target: Path) -> None:
    os.chmod(target, source.stat().st_mode & 0o7777)


def _multiline_array(values: list) -> Array:  # type: ignore[type-arg]
    array = tomlkit.array()
    array.extend(values)
    array.multiline(True)
    return array


def _text_value(value: str) -> String:
    """Answers with line breaks are written as TOML multi-line strings, readable in an editor."""
    return tomlkit.string(value, multiline="\n" in value)


def _section_table(section: Section) -> Table:
    table = tomlkit.table()
    table["id"] = section.id
    table["title"] = section.title
    return table


def _entry_table(entry: Entry) -> Table:
    table = tomlkit.table()
    table["id"] = entry.id
    table["section"] = entry.section_id
    table["question"] = entry.question
    table["answer"] = _text_value(entry.answer)
    if entry.phrasings:
        table["phrasings"] = _multiline_array(list(entry.phrasings))
    return table


# --- import -----------------------------------------------------------------------------------

IMPORTED_SECTION = Section(id="imported", title="Импортированные вопросы")
NEW_FILE_SECTION = Section(id="general", title="Вопросы")
NEW_FILE_HEADER = (
    "Knowledge base created by `python -m bot import`. Format: see data/faq.toml in the bot's "
    "repository."
)


@dataclass
class ImportResult:
    """What an import would do: report lines, counts and the merged file text."""

    target: Path
    text: str  # the merged file; equal to the original when nothing changed
    lines: list[str] = field(default_factory=list)  # one line per entry or other change
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    # Changes to sections, synonym groups and abbreviations: ("synonym group", "added") -> count
    others: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def other_changes(self) -> int:
        return sum(self.others.values())

    @property
    def modifies_file(self) -> bool:
        return bool(self.added or self.changed or self.other_changes)

    def summary(self) -> str:
        """One line: the entries, then the other parts of the base that change, if any."""
        line = f"{self.added} added, {self.changed} changed, {self.unchanged} unchanged"
        others = [
            f"{count} {what if count == 1 else what + 's'} {verb}"
            for (what, verb), count in self.others.items()
        ]
        return f"{line}; also {', '.join(others)}" if others else line


def plan_import(source: Path, target: Path, section_id: str | None = None) -> ImportResult:
    """Merge ``source`` (plain text or TOML) into the TOML file ``target``; write nothing.

    Entries match by question (ignoring case, spacing and punctuation) or, for TOML sources,
    by id.
    Matched entries get the new answer (and, from TOML, the new question wording and any new
    phrasings); the rest are added to ``section_id``, or to their own section for TOML sources,
    or to an "imported" section. A missing ``target`` is created.
    """
    _check_target(target)
    if section_id is not None and not ID_RE.match(section_id):
        raise KnowledgeBaseError(f"--section {section_id!r} is invalid: {ID_RULE}")
    incoming = load_knowledge_base(source)
    return plan_merge(incoming, target, by_id=is_toml(source), section_id=section_id)


def plan_merge(
    incoming: KnowledgeBase,
    target: Path,
    *,
    by_id: bool = True,
    section_id: str | None = None,
) -> ImportResult:
    """Merge a knowledge base into the TOML file ``target`` as ``plan_import`` does; write nothing.

    ``export`` into the knowledge-base file itself uses this with the file's knowledge base plus
    the owners' in-chat additions: the file's entries come back unchanged or with new
    phrasings, owners' entries are added, and the editor's comments and layout stay.
    """
    _check_target(target)
    merger = _Merger.for_target(target)
    merger.merge(incoming, by_id=by_id, section_id=section_id)
    text = merger.result.text
    if merger.result.modifies_file:
        text = tomlkit.dumps(merger.doc).rstrip("\n") + "\n"
    # Check the merged file exactly as the bot will read it; an error here means nothing is written.
    name = f"{display_path(target)} (after import)"
    merged = parse_knowledge_base(text, name, kind=FileKind.TOML)
    if merger.is_new_file:  # nothing to preserve: use the tidy layout of export
        text = dump_knowledge_base(merged, header=NEW_FILE_HEADER)
    merger.result.text = text
    return merger.result


def _check_target(target: Path) -> None:
    if not is_toml(target):
        raise KnowledgeBaseError(
            f"{display_path(target)}: import writes TOML knowledge bases only "
            "(convert this one first: python -m bot export NEW.toml --faq ...)"
        )


def _spaced(word: str) -> str:
    """How synonyms compare: case and spacing ignored (punctuation may matter: "C++")."""
    return " ".join(word.casefold().split())


class _Merger:
    """Applies an incoming knowledge base to the tomlkit document of the target file."""

    def __init__(self, target: Path, text: str, current: KnowledgeBase | None) -> None:
        self.doc = tomlkit.parse(text)
        self.name = display_path(target)
        self.result = ImportResult(target=target, text=text)
        self.is_new_file = current is None
        self.entries: dict[str, Entry] = {e.id: e for e in current.entries} if current else {}
        self.new_ids = EntryIds(set(self.entries))
        self.by_question = {question_key(e.question): e.id for e in self.entries.values()}
        self.sections = {s.id for s in current.sections} if current else set()
        groups = current.synonyms if current else ()
        self.synonym_groups = [{_spaced(word) for word in group} for group in groups]
        self.abbreviations = dict(current.abbreviations) if current else {}

    @classmethod
    def for_target(cls, target: Path) -> _Merger:
        if not target.exists():
            return cls(target, "", None)
        name = display_path(target)
        text = read_text(target, name)
        return cls(target, text, parse_knowledge_base(text, name, kind=FileKind.TOML))

    def merge(self, incoming: KnowledgeBase, *, by_id: bool, section_id: str | None) -> None:
        if section_id is not None:
            self._check_section_option(section_id, incoming)
        if self.is_new_file:
            self._start_document(incoming)
        for group in incoming.synonyms:
            self._merge_synonyms(group)
        for short, full in incoming.abbreviations:
            self._merge_abbreviation(short, full)
        for entry in incoming.entries:
            match = self.by_question.get(question_key(entry.question))
            if match is None and by_id and entry.id in self.entries:
                match = entry.id
            if match is None:
                self._add_entry(entry, incoming, by_id=by_id, section_id=section_id)
            else:
                self._update_entry(self.entries[match], entry, section_id=section_id)

    def _check_section_option(self, section_id: str, incoming: KnowledgeBase) -> None:
        """``--section`` names a section the base has (or the imported file defines, with its
        title): a section made up from the option alone would show users its id as a title."""
        if section_id in self.sections or incoming.section(section_id) is not None:
            return
        if self.sections:
            known = f"its sections are {', '.join(sorted(self.sections))}"
        else:
            known = "it has no sections yet"
        raise KnowledgeBaseError(
            f"{self.name}: no section {section_id!r} for --section ({known}); to create one, "
            "add a [[sections]] table with its id and title to the file first"
        )

    # -- document structure

    def _start_document(self, incoming: KnowledgeBase) -> None:
        self.doc["title"] = incoming.title
        self.doc["language"] = incoming.language

    def _array_of_tables(self, key: str) -> AoT:
        if key not in self.doc:
            self.doc[key] = tomlkit.aot()
        tables = self.doc[key]
        if not isinstance(tables, AoT):
            raise KnowledgeBaseError(
                f"{self.name}: import can only add to {key} written as [[{key}]] tables"
            )
        return tables

    def _append_table(self, key: str, table: Table) -> None:
        """Append after the last table of ``key``, with blank lines around (trimmed at the end)."""
        tables = self._array_of_tables(key)
        if len(tables) and not tables[-1].as_string().endswith("\n\n"):
            tables[-1].add(tomlkit.nl())
        table.add(tomlkit.nl())
        tables.append(table)

    def _entry_table(self, entry_id: str) -> Table:
        for table in self._array_of_tables("entries"):
            if table.get("id") == entry_id:
                return table
        raise KnowledgeBaseError(f"{self.name}: entry {entry_id!r} is not an [[entries]] table")

    def _note(self, what: str, verb: str, line: str) -> None:
        """Report a change to something other than an entry (``what``: "section"...)."""
        self.result.lines.append(line)
        key = (what, verb)
        self.result.others[key] = self.result.others.get(key, 0) + 1

    # -- parts

    def _merge_synonyms(self, group: tuple[str, ...]) -> None:
        # A group that shares some words with an existing one is added as it is, not merged
        # into it: groups are not transitive (["Россия", "РФ"], ["Россия", "Москва"]).
        words = {_spaced(word) for word in group}
        if any(words <= known for known in self.synonym_groups):
            return
        if "synonyms" not in self.doc:
            self.doc["synonyms"] = _multiline_array([])
        self.doc["synonyms"].append(list(group))
        self.synonym_groups.append(words)
        self._note("synonym group", "added", f"added synonym group: {', '.join(group)}")

    def _merge_abbreviation(self, short: str, full: str) -> None:
        if self.abbreviations.get(short) == full:
            return
        if "abbreviations" not in self.doc:
            self.doc["abbreviations"] = tomlkit.table()
        verb = "changed" if short in self.abbreviations else "added"
        self.doc["abbreviations"][short] = full
        self.abbreviations[short] = full
        self._note("abbreviation", verb, f"{verb} abbreviation {short} = {full}")

    def _ensure_section(self, section: Section) -> None:
        if section.id in self.sections:
            return
        self._append_table("sections", _section_table(section))
        self.sections.add(section.id)
        self._note("section", "added", f"added section {section.id}: {section.title}")

    def _add_entry(
        self, entry: Entry, incoming: KnowledgeBase, *, by_id: bool, section_id: str | None
    ) -> None:
        section = self._target_section(entry, incoming, by_id=by_id, section_id=section_id)
        self._ensure_section(section)
        keep_id = by_id and entry.id not in self.entries
        new_id = entry.id if keep_id else self.new_ids.new(entry.question)
        self.new_ids.taken.add(new_id)
        phrasings = entry.phrasings if by_id else ()
        added = Entry(new_id, section.id, entry.question, entry.answer, phrasings)
        self._append_table("entries", _entry_table(added))
        self.entries[new_id] = added
        self.by_question[question_key(added.question)] = new_id
        self.result.added += 1
        self.result.lines.append(f"added {new_id}: {added.question}")

    def _target_section(
        self, entry: Entry, incoming: KnowledgeBase, *, by_id: bool, section_id: str | None
    ) -> Section:
        if section_id is not None:  # checked: the target's, or defined by the incoming file
            return incoming.section(section_id) or Section(section_id, section_id)
        # TOML files name their sections, and so do Markdown ones with "# Section" headings;
        # plain text puts everything in one default section.
        if by_id or entry.section_id != PLAINTEXT_SECTION.id:
            return incoming.section(entry.section_id) or IMPORTED_SECTION
        return NEW_FILE_SECTION if self.is_new_file else IMPORTED_SECTION

    def _update_entry(self, current: Entry, incoming: Entry, *, section_id: str | None) -> None:
        table = self._entry_table(current.id)
        changes = []
        if question_key(incoming.question) != question_key(current.question):
            table["question"] = incoming.question
            del self.by_question[question_key(current.question)]
            self.by_question[question_key(incoming.question)] = current.id
            changes.append("question updated")
        if incoming.answer != current.answer:
            table["answer"] = _text_value(incoming.answer)
            changes.append("answer updated")
        new_phrasings = self._new_phrasings(current, incoming)
        if new_phrasings:
            self._add_phrasings(table, new_phrasings)
            count = len(new_phrasings)
            changes.append(f"{count} phrasing{'s' if count > 1 else ''} added")
        # --section places new entries only: moving existing ones is an edit of the file.
        kept = ""
        if section_id is not None and section_id != current.section_id:
            kept = f" (stays in section {current.section_id}: --section places new entries only)"
        if changes:
            self.result.changed += 1
            self.result.lines.append(f"changed {current.id}: {', '.join(changes)}{kept}")
        else:
            self.result.unchanged += 1
            self.result.lines.append(f"unchanged {current.id}{kept}")

    @staticmethod
    def _new_phrasings(current: Entry, incoming: Entry) -> list[str]:
        # Compared with the incoming question: when the wording changes, the old wording may
        # stay on as a phrasing.
        known = {question_key(text) for text in (incoming.question, *current.phrasings)}
        new = []
        for phrasing in incoming.phrasings:
            if question_key(phrasing) not in known:
                known.add(question_key(phrasing))
                new.append(phrasing)
        return new

    @staticmethod
    def _add_phrasings(table: Table, phrasings: list[str]) -> None:
        if "phrasings" in table:
            for phrasing in phrasings:
                table["phrasings"].append(phrasing)
            return
        # Table.add would put the key after the table's trailing blank lines and comments,
        # which belong visually to the next table; insert it after the last key instead.
        last_key = list(table.keys())[-1]
        table.value._insert_after(last_key, "phrasings", _multiline_array(phrasings))

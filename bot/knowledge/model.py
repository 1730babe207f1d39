"""The knowledge base as plain, immutable data: what the loader produces and everyone else reads."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    section_id: str
    question: str
    answer: str
    phrasings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Sections, entries and the editor's vocabulary knowledge.

    ``synonyms`` holds groups of interchangeable words or phrases; an abbreviation and its
    expansion are one more such group, so the engine treats both the same way.
    """

    sections: tuple[Section, ...]
    entries: tuple[Entry, ...]
    synonyms: tuple[tuple[str, ...], ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = ()
    title: str = ""
    language: str = "ru"
    _entries_by_id: dict[str, Entry] = field(init=False, repr=False, compare=False)
    _sections_by_id: dict[str, Section] = field(init=False, repr=False, compare=False)
    _entries_by_section: dict[str, tuple[Entry, ...]] = field(init=False, repr=False, compare=False)
    _places: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_entries_by_id", {e.id: e for e in self.entries})
        object.__setattr__(self, "_sections_by_id", {s.id: s for s in self.sections})
        by_section: dict[str, list[Entry]] = {}
        places: dict[str, int] = {}
        for entry in self.entries:
            listed = by_section.setdefault(entry.section_id, [])
            places[entry.id] = len(listed)
            listed.append(entry)
        grouped = {section_id: tuple(entries) for section_id, entries in by_section.items()}
        object.__setattr__(self, "_entries_by_section", grouped)
        object.__setattr__(self, "_places", places)

    def entry(self, entry_id: str) -> Entry | None:
        return self._entries_by_id.get(entry_id)

    def section(self, section_id: str) -> Section | None:
        return self._sections_by_id.get(section_id)

    def entries_in(self, section_id: str) -> tuple[Entry, ...]:
        return self._entries_by_section.get(section_id, ())

    def place_in_section(self, entry_id: str) -> int:
        """Where the entry comes in its section's list, from 0 (0 for an unknown id)."""
        return self._places.get(entry_id, 0)

    def equivalence_groups(self) -> tuple[tuple[str, ...], ...]:
        """Synonym groups plus one group per abbreviation, for the engine."""
        return self.synonyms + tuple((short, full) for short, full in self.abbreviations)

    def with_phrasing(self, entry_id: str, phrasing: str) -> KnowledgeBase:
        """A copy with one more phrasing for an entry (used by owners' in-chat edits)."""
        entries = tuple(
            replace(e, phrasings=(*e.phrasings, phrasing)) if e.id == entry_id else e
            for e in self.entries
        )
        return replace(self, entries=entries)

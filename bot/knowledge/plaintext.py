"""Knowledge bases written as plain text (``.txt``) or Markdown (``.md``).

Plain text comes in two layouts. The seed layout is a question line, then its answer line:

    Как оформить пропуск?
    В бюро пропусков на первом этаже.
    Где столовая?
    На третьем этаже.

(blank lines between all of the pairs, or some of them, change nothing). When blank lines separate
blocks and some block of more than two lines is not such pairs, each block is a question line
followed by its answer, which may span several lines:

    Как оформить пропуск?
    В бюро пропусков на первом этаже.
    Возьмите с собой паспорт.

    Где столовая?
    На третьем этаже.

Markdown: ``## Question`` headings, each with the text under it as the answer; a ``# Heading``
starts a section (its title), except that a single one, or a first one with no questions of
its own, is the knowledge base's title.

Neither format needs escaping, so any editor can write them; ``bot.knowledge.loader`` turns the
result into a knowledge base and ``import`` merges it into a TOML one. A file whose lines do not
pair up the way its layout says is refused with the line where the pairing goes wrong, rather
than read as questions that are really answers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

from bot.errors import KnowledgeBaseError


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    line: int  # 1-based line of the question
    question: str
    answer: str
    answer_line: int  # where the answer starts
    section: str = ""  # the title of its Markdown section; "" for the default section


@dataclass(frozen=True, slots=True)
class PlainDocument:
    """What a plain-text or Markdown file says: its questions, and a title if it has one."""

    pairs: list[QuestionAnswer]
    title: str = ""
    section_lines: dict[str, int] = field(default_factory=dict)  # section title -> its line


Line = tuple[int, str]  # 1-based number, text without the line break


def split_lines(text: str) -> list[str]:
    """Lines as editors count them (``str.splitlines`` also splits at U+2028 and friends)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _fail(name: str, line: int, problem: str) -> NoReturn:
    raise KnowledgeBaseError(f"{name}:{line}: {problem}")


def _looks_like_question(text: str) -> bool:
    return text.rstrip().endswith("?")


# --- plain text -------------------------------------------------------------------------------


def parse_pairs(text: str, name: str) -> list[QuestionAnswer]:
    """Split plain ``text`` into question/answer pairs; ``name`` is the file name used in errors.

    Blocks of two lines are pairs whatever the layout. When longer blocks are all question,
    answer, question, answer... (blank lines between some pairs only), every line alternates;
    otherwise a longer block is a question with an answer of several lines.
    """
    blocks = _blocks(text)
    multiline = [block for block in blocks if len(block) > 2 and not _alternates(block)]
    if len(blocks) > 1 and multiline:
        return [_block_pair(block, name) for block in blocks]
    return _alternating_pairs([line for block in blocks for line in block], name)


def _blocks(text: str) -> list[list[Line]]:
    """Runs of non-blank lines, stripped; blank lines separate them."""
    blocks: list[list[Line]] = [[]]
    for number, line in enumerate(split_lines(text), start=1):
        if line.strip():
            blocks[-1].append((number, line.strip()))
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _block_pair(block: list[Line], name: str) -> QuestionAnswer:
    """A block: its first line is the question, the rest the answer."""
    (q_line, question), *answer = block
    if not answer:
        _fail(
            name,
            q_line,
            "question has no answer (write the answer on the lines right under its question; "
            "a blank line ends a question-and-answer block)",
        )
    _check_question_line(name, q_line, question)
    _check_answer_start(name, (q_line, question), answer[0])
    if _alternates(block):
        _fail(
            name,
            block[2][0],
            "looks like the next question, not part of the answer above: "
            "put a blank line before it",
        )
    return QuestionAnswer(
        line=q_line,
        question=question,
        answer="\n".join(text for _, text in answer),
        answer_line=answer[0][0],
    )


def _alternates(block: list[Line]) -> bool:
    """Does the block read question?, answer, question?, answer...? Then it holds several pairs
    (a blank line is missing) rather than one answer of several lines."""
    if len(block) < 4 or len(block) % 2:
        return False
    return all(
        _looks_like_question(text) == (position % 2 == 0)
        for position, (_, text) in enumerate(block)
    )


def _alternating_pairs(lines: list[Line], name: str) -> list[QuestionAnswer]:
    """The seed layout: every other line is a question, the line after it its answer."""
    questions = lines[::2]
    asks = any(_looks_like_question(text) for _, text in questions)
    pairs = []
    for (q_line, question), (a_line, answer) in zip(questions, lines[1::2], strict=False):
        if _looks_like_question(answer) and not _looks_like_question(question):
            _fail(
                name,
                q_line,
                f"read as a question, but line {a_line} after it looks like the question: "
                "if an answer has several lines, separate question-and-answer blocks "
                "with blank lines",
            )
        if asks and _looks_like_answer(question):
            _fail(
                name,
                q_line,
                "read as a question, but it looks like part of the answer above (it ends "
                f"with {question[-1]!r}): if an answer has several lines, separate "
                "question-and-answer blocks with blank lines",
            )
        _check_question_line(name, q_line, question)
        _check_answer_start(name, (q_line, question), (a_line, answer))
        pairs.append(QuestionAnswer(q_line, question, answer, a_line))
    if len(lines) % 2:
        last_line, last = lines[-1]
        if asks and _looks_like_answer(last):
            _fail(
                name,
                last_line,
                "looks like part of the answer above, not a question: if an answer has "
                "several lines, separate question-and-answer blocks with blank lines",
            )
        _fail(
            name,
            last_line,
            "question has no answer (the format is a question line followed by its answer line)",
        )
    return pairs


def _looks_like_answer(text: str) -> bool:
    """A line ending as sentences and list items of an answer do ("." but not "...")."""
    return text.endswith((".", ",", ";", ":")) and not text.endswith("..")


def _check_question_line(name: str, line: int, question: str) -> None:
    if "\t" in question:
        _fail(
            name,
            line,
            "tab inside a question line: write the question on one line and its answer "
            "on the next line",
        )


def _check_answer_start(name: str, question: Line, answer: Line) -> None:
    """Two questions in a row: the second is not the first one's answer."""
    if _looks_like_question(question[1]) and _looks_like_question(answer[1]):
        _fail(
            name,
            answer[0],
            f"looks like a question, not the answer to line {question[0]}: "
            "write each question's answer on the line right under it",
        )


# --- Markdown ---------------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_FENCE_RE = re.compile(r"^(```|~~~)")


@dataclass
class _Question:
    line: int
    text: str
    section: str
    answer: list[Line] = field(default_factory=list)


@dataclass
class _Chapter:
    """A ``# Heading`` and how many questions come under it."""

    line: int
    title: str
    questions: int = 0


def parse_markdown(text: str, name: str) -> PlainDocument:
    """Read ``## Question`` headings with the text under them as answers (see the module)."""
    questions: list[_Question] = []
    chapters: list[_Chapter] = []
    current: _Question | None = None  # the question whose answer the lines belong to
    fence: str | None = None  # the marker of an open code block, where # is not a heading
    for number, raw in enumerate(split_lines(text), start=1):
        line = raw.rstrip()
        heading = None if fence else _HEADING_RE.match(line)
        if _FENCE_RE.match(line.lstrip()):
            marker = line.lstrip()[:3]
            fence = None if fence == marker else fence or marker
        if heading is None or len(heading[1]) > 2:  # ### and deeper belong to the answer
            if current is not None:
                current.answer.append((number, line))
            elif line.strip():
                _fail(
                    name,
                    number,
                    "text outside a question: answers go under '## question' headings "
                    "(a '# heading' is a title or a section)",
                )
            continue
        title = (heading[2] or "").strip()
        if not title:
            _fail(name, number, "empty heading: write the question or section title after #")
        if len(heading[1]) == 1:
            chapters.append(_Chapter(number, title))
            current = None
        else:
            current = _Question(number, title, chapters[-1].title if chapters else "")
            questions.append(current)
            if chapters:
                chapters[-1].questions += 1
    return _markdown_document(questions, chapters, name)


def _markdown_document(
    questions: list[_Question], chapters: list[_Chapter], name: str
) -> PlainDocument:
    title = ""
    if chapters and (len(chapters) == 1 or chapters[0].questions == 0):
        title = chapters.pop(0).title
        if not chapters:  # the only heading: its questions are in the default section
            for question in questions:
                question.section = ""
    seen: dict[str, int] = {}
    for chapter in chapters:
        if chapter.questions == 0:
            _fail(name, chapter.line, "section has no questions: add '## question' headings")
        if chapter.title in seen:
            first = seen[chapter.title]
            _fail(name, chapter.line, f"duplicate section title (same as line {first})")
        seen[chapter.title] = chapter.line
    pairs = [_markdown_pair(question, name) for question in questions]
    return PlainDocument(pairs=pairs, title=title, section_lines=seen)


def _markdown_pair(question: _Question, name: str) -> QuestionAnswer:
    paragraphs: list[list[str]] = [[]]
    for _, line in question.answer:
        if line.strip():
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    answer = "\n\n".join("\n".join(lines) for lines in paragraphs if lines).strip()
    if not answer:
        _fail(name, question.line, "question has no answer: write it under the heading")
    first = next(number for number, line in question.answer if line.strip())
    return QuestionAnswer(question.line, question.text, answer, first, question.section)

"""Hostile knowledge-base files: each is refused with one clear line, in bounded time and memory.

A file that is huge, endless, binary, or built to make the TOML parser take gigabytes (TOML has
no aliases, so its "billion laughs" is a mass of tiny tables or a very long dotted key) must not
take the bot down. Each test prints how long the refusal took and the peak memory it used
(run with -s); as everywhere, times are printed, never asserted.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest

from bot.errors import KnowledgeBaseError
from bot.knowledge.loader import MAX_FILE_BYTES, load_knowledge_base
from bot.knowledge.model import KnowledgeBase

MIB = 1024 * 1024
HEADER = 'title = "Hostile"\n\n[[sections]]\nid = "main"\ntitle = "Main"\n\n'
ENTRY = '[[entries]]\nid = "{id}"\nsection = "main"\nquestion = "{question}"\nanswer = "{answer}"\n'
TOO_LARGE = "file is larger than 5 MiB; a knowledge base must be smaller"
TOO_MANY = "too many keys, values and tables (more than 200,000); a knowledge base must be smaller"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # messages then say "faq.toml:...", as an operator would see


def measured(path: Path, *, trace_memory: bool = True) -> KnowledgeBase | str:
    """Load ``path``: the knowledge base, or the error's message. Prints the time and the peak
    memory the load took (tracing memory slows Python code down several times; the time
    printed is then the traced one)."""
    if trace_memory:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        outcome: KnowledgeBase | str = load_knowledge_base(path)
    except KnowledgeBaseError as error:
        outcome = error.message
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    size = path.stat().st_size if path.is_file() else 0
    memory = f", peak {peak / MIB:.1f} MiB" if trace_memory else ""
    print(f"\n{path} ({size / MIB:.1f} MiB): {elapsed * 1000:.0f} ms{memory}")
    return outcome


def refusal(path: Path) -> str:
    outcome = measured(path)
    assert isinstance(outcome, str), "the file was accepted"
    assert "\n" not in outcome
    return outcome


def toml(text: str, name: str = "faq.toml") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


# --- too big ----------------------------------------------------------------------------------


def test_a_50_mib_file_is_refused_without_being_read() -> None:
    path = Path("faq.toml")
    with path.open("wb") as file:
        file.truncate(50 * MIB)  # sparse: 50 MiB long, nothing written

    assert refusal(path) == f"faq.toml: {TOO_LARGE}"


def test_a_file_one_byte_over_the_limit_is_refused() -> None:
    path = toml(HEADER + "#" * (MAX_FILE_BYTES - len(HEADER) + 1))

    assert refusal(path) == f"faq.toml: {TOO_LARGE}"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused_unread(device: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"no {device} here")

    assert refusal(Path(device)) == (
        f"{device}: is not a regular file (a device or a pipe?), expected a file"
    )


def test_a_link_to_an_endless_device_is_refused_unread() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    Path("faq.toml").symlink_to("/dev/zero")

    assert refusal(Path("faq.toml")) == (
        "faq.toml: is not a regular file (a device or a pipe?), expected a file"
    )


def test_a_named_pipe_is_refused_without_waiting_for_a_writer() -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    os.mkfifo("faq.toml")

    assert refusal(Path("faq.toml")) == (
        "faq.toml: is not a regular file (a device or a pipe?), expected a file"
    )


def test_a_directory_is_refused() -> None:
    Path("faq.toml").mkdir()

    assert refusal(Path("faq.toml")) == ("faq.toml: is a directory, expected a knowledge base file")


# --- not text ----------------------------------------------------------------------------------


def test_invalid_utf8_names_the_line_and_byte() -> None:
    path = Path("faq.toml")
    path.write_bytes(HEADER.encode() + b'[[entries]]\nid = "\xff\xfe"\n')

    assert refusal(path) == (
        f"faq.toml:8: not UTF-8 encoded (byte 0xff at offset {len(HEADER) + 18}); "
        "save the file as UTF-8"
    )


@pytest.mark.parametrize("name", ["faq.toml", "faq.txt"])
def test_nul_bytes_mark_a_binary_file(name: str) -> None:
    path = Path(name)
    path.write_bytes(b"Question one?\nAnswer one.\nQuestion\x00two?\nAnswer two.\n")

    assert refusal(path) == (
        f"{name}:3: contains a NUL character: this is a binary file, not UTF-8 text"
    )


def test_random_binary_data_is_refused() -> None:
    path = Path("faq.toml")
    path.write_bytes(bytes(range(256)) * 4096)  # 1 MiB

    assert refusal(path) == (  # the first newline is byte 10
        "faq.toml:2: not UTF-8 encoded (byte 0x80 at offset 128); save the file as UTF-8"
    )


# --- built to exhaust the parser -----------------------------------------------------------------


def test_100k_nested_arrays_are_refused() -> None:
    path = toml("a = " + "[" * 100_000 + "]" * 100_000 + "\n")

    assert refusal(path) == "faq.toml: TOML syntax error: arrays or tables are nested too deeply"


def test_deeply_nested_inline_tables_are_refused() -> None:
    path = toml("a = " + "{b = " * 60_000 + "1" + "}" * 60_000 + "\n")

    assert refusal(path) == "faq.toml: TOML syntax error: arrays or tables are nested too deeply"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(HEADER + "a" + ".a" * 100_000 + " = 1\n", id="bare"),
        pytest.param(HEADER + '"a"' + '."a"' * 100_000 + " = 1\n", id="quoted"),
        pytest.param(HEADER + "a" + " . 'a'" * 100_000 + " = 1\n", id="spaced"),
        pytest.param(HEADER + "[" + "a." * 100_000 + "a]\n", id="table-header"),
    ],
)
def test_a_very_long_dotted_key_is_refused_before_parsing(text: str) -> None:
    # tomllib's memory grows with the square of the key's length: this one would take ~40 GB.
    assert refusal(toml(text)) == "faq.toml:7: a key has more than 16 dotted parts"


def test_an_inline_table_bomb_under_the_size_limit_is_refused() -> None:
    # TOML's "billion laughs": no aliases, so the most items per byte, all within 5 MiB.
    bomb = "x = [" + "{}," * ((MAX_FILE_BYTES - 100) // 3) + "]\n"
    assert len(bomb.encode()) <= MAX_FILE_BYTES

    assert refusal(toml(bomb)) == f"faq.toml: {TOO_MANY}"


def test_an_inline_table_bomb_over_the_size_limit_is_refused_by_size() -> None:
    bomb = "x = [" + "{a={b={}}}," * (MAX_FILE_BYTES // 10) + "]\n"

    assert refusal(toml(bomb)) == f"faq.toml: {TOO_LARGE}"


def test_a_flood_of_keys_is_refused() -> None:
    path = toml("".join(f"k{n} = 1\n" for n in range(300_000)))

    assert refusal(path) == f"faq.toml: {TOO_MANY}"


def test_brackets_and_commas_inside_strings_do_not_count() -> None:
    answer = "[{=,.}]," * 50_000  # 300,000 characters that look like structure, in a string
    text = HEADER + ENTRY.format(id="a", question="Q?", answer="A.")
    text += ENTRY.format(id="b", question="Q2?", answer="").replace('""\n', f"'''{answer}'''\n")

    assert refusal(toml(text)) == (
        "faq.toml:16: entry 'b': answer is too long (400000 characters; the limit is 20000)"
    )


# --- huge fields ---------------------------------------------------------------------------------


def test_a_huge_answer_is_refused_with_its_line() -> None:
    path = toml(HEADER + ENTRY.format(id="big", question="Q?", answer="я" * 200_000))

    assert refusal(path) == (
        "faq.toml:11: entry 'big': answer is too long (200000 characters; the limit is 20000)"
    )


def test_a_huge_question_in_a_plain_text_file_is_refused() -> None:
    path = Path("faq.txt")
    path.write_text("?" * 2_000_000 + "\nAnswer.\n", encoding="utf-8")

    assert refusal(path) == (
        "faq.txt:1: question is too long (2000000 characters; the limit is 500)"
    )


def test_a_huge_list_of_bad_phrasings_is_refused_quickly() -> None:
    # Finding an error's line must not search the file once per phrasing.
    phrasings = ",\n".join(f'  "p\\u0444{n}"' for n in range(20_000)) + ',\n  ""'
    text = (
        HEADER + ENTRY.format(id="a", question="Q?", answer="A.") + f"phrasings = [\n{phrasings}]\n"
    )

    assert (
        refusal(toml(text))
        == "faq.toml:12: entry 'a': phrasings: '' must be a non-empty single line"
    )


# --- and an honest large file still loads --------------------------------------------------------


def test_a_large_honest_knowledge_base_loads_in_time_proportional_to_its_size() -> None:
    entries = "".join(
        ENTRY.format(id=f"e{n}", question=f"Вопрос номер {n}?", answer=f"Ответ {n}. " * 20)
        + f'phrasings = ["фраза {n}", "ещё фраза {n}"]\n'
        for n in range(5_000)
    )
    outcome = measured(toml(HEADER + entries), trace_memory=False)

    assert isinstance(outcome, KnowledgeBase)
    assert len(outcome.entries) == 5_000
    assert outcome.entry("e4999") is not None


def test_thousands_of_questions_beginning_alike_get_ids_of_their_own() -> None:
    # Same first words, so the ids differ by their hash alone ("gde-nakhoditsya-3c67fb"...);
    # a clash must not make naming the file try every id already given.
    path = Path("faq.txt")
    questions = [f"Где находится столовая номер {n}?" for n in range(60_000)]
    path.write_text(
        "".join(f"{question}\nОтвет {n}.\n" for n, question in enumerate(questions)),
        encoding="utf-8",
    )

    outcome = measured(path, trace_memory=False)

    assert isinstance(outcome, KnowledgeBase)
    ids = [e.id for e in outcome.entries]
    assert len(set(ids)) == 60_000
    assert ids[0] == "gde-nakhoditsya-3c67fb"
    assert ids[-1] == "gde-nakhoditsya-a2c74f"
    assert all(entry_id.startswith("gde-nakhoditsya-") for entry_id in ids)

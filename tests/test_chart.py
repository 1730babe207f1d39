"""The /stats picture: a real PNG of the expected size, with data and without."""

from __future__ import annotations

import io
import struct
import warnings
from datetime import UTC, datetime

from PIL import Image

from bot.chart import HEIGHT_PX, WIDTH_PX, ChartLabels, _plain, _title, render_stats_chart
from bot.stats import Stats
from bot.storage import Activity, EntryCount, EntryVotes

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2024, 5, 10, 12, 0, tzinfo=UTC)
NOTHING = Activity(messages=0, users=0, answered=0, suggested=0, not_found=0, small_talk=0)
BUSY = Activity(messages=120, users=30, answered=70, suggested=20, not_found=18, small_talk=12)
TITLES = {
    "scope": "🗺 Как складывается межрегиональное и приграничное взаимодействие России и "
    "Казахстана?",
    "growth": "Сколько стоит $5 и $6 за № 1? 👍🏽",
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which PNG puts first."""
    assert data[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", data[8:16])
    assert (length, kind) == (13, b"IHDR")
    return struct.unpack(">II", data[16:24])


def busy_stats() -> Stats:
    return Stats(
        generated_at=NOW,
        day=BUSY,
        week=BUSY,
        all_time=BUSY,
        top_entries=(EntryCount("scope", 40), EntryCount("growth", 20), EntryCount("gone", 3)),
        votes=(EntryVotes("scope", up=10, down=2), EntryVotes("growth", up=1, down=5)),
    )


def test_chart_with_data_is_a_png_for_send_photo() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (an emoji left in) would warn
        data = render_stats_chart(busy_stats(), TITLES)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1000, 1000)
    assert len(data) > 20_000  # bars, labels and text, not a blank canvas
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    colours = {colour for _count, colour in image.convert("RGB").getcolors(maxcolors=1 << 16)}
    assert {(0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28), (0x15, 0x65, 0xC0)} <= colours


def test_chart_without_any_data_still_renders() -> None:
    empty = Stats(NOW, NOTHING, NOTHING, NOTHING, top_entries=(), votes=())
    data = render_stats_chart(empty, {})
    assert png_size(data) == (1000, 1000)
    assert len(data) > 5_000
    colours = {colour for _count, colour in Image.open(io.BytesIO(data)).convert("RGB").getcolors()}
    assert (0x2E, 0x7D, 0x32) not in colours  # no bars at all


def test_labels_are_the_callers() -> None:
    stats = busy_stats()
    english = render_stats_chart(stats, TITLES)
    russian = render_stats_chart(stats, TITLES, ChartLabels(title="Статистика бота"))
    assert english != russian
    assert png_size(russian) == (1000, 1000)


def test_text_is_made_drawable() -> None:
    assert _plain("🗺 Регионы и приграничье") == " Регионы и приграничье"
    assert _plain("Цена $5 и $6, № 1") == r"Цена \$5 и \$6, № 1"
    assert _title("scope", TITLES) == (
        "Как складывается межрегиональное и\nприграничное взаимодействие России …"
    )
    assert _title("gone", TITLES) == "gone"  # an entry no longer in the knowledge base
    assert _title("emoji", {"emoji": "🙂🙂"}) == "emoji"

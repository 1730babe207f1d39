"""The /stats picture: a PNG with the outcome shares, the most asked entries and their votes.

matplotlib is imported inside ``render_stats_chart``: the bot pays for it (about half a second)
on the first /stats, not at start-up. It draws on a bare ``Figure`` (no pyplot), so there is no
global backend or window state, and it ships the DejaVu Sans font, which has Cyrillic. Emoji
are not in that font: labels are words, and characters the font lacks are dropped from entry
titles. Rendering takes a fraction of a second of CPU: call it from a worker thread
(``asyncio.to_thread``).
"""

from __future__ import annotations

import functools
import io
import textwrap
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.stats import Stats

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_PX, HEIGHT_PX, DPI = 1000, 1000, 100
MAX_BARS = 8
TITLE_LINE_CHARS = 36  # two such lines fit left of the bars
FONT = "DejaVu Sans"  # bundled with matplotlib; has Latin, Cyrillic and Kazakh letters

ANSWERED_COLOR = "#2e7d32"
SUGGESTED_COLOR = "#f9a825"
NOT_FOUND_COLOR = "#c62828"
ASKED_COLOR = "#1565c0"
MUTED_COLOR = "#757575"

# matplotlib keeps font caches and settings in module globals: one drawing at a time.
_render_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """Every word on the picture, so the bot can pass its own language (bot/texts.py)."""

    title: str = "FAQ bot statistics"
    period_line: str = "{messages} messages, {users} users"
    day: str = "Last 24 hours"
    week: str = "Last 7 days"
    all_time: str = "All time"
    outcomes: str = "What the bot did with {questions} questions ({small_talk} small talk apart)"
    answered: str = "answered"
    suggested: str = "suggested"
    not_found: str = "not found"
    top_entries: str = "Most asked (times answered)"
    votes: str = "Votes on answers"
    helpful: str = "helpful"
    not_helpful: str = "not helpful"
    no_data: str = "no data yet"


def render_stats_chart(
    stats: Stats, entry_titles: Mapping[str, str], labels: ChartLabels = ChartLabels()
) -> bytes:
    """A PNG of ``stats`` for sendPhoto; ``entry_titles`` maps entry ids to their questions."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    with _render_lock, rc_context({"font.family": FONT, "font.size": 11}):
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
        figure.suptitle(_plain(labels.title), fontsize=16, fontweight="bold")
        _draw_periods(figure, stats, labels)
        grid = figure.add_gridspec(
            3, 1, height_ratios=(1, 3, 3), left=0.36, right=0.95, top=0.83, bottom=0.05, hspace=0.5
        )
        _draw_outcomes(figure.add_subplot(grid[0]), stats, labels)
        _draw_top_entries(figure.add_subplot(grid[1]), stats, entry_titles, labels)
        _draw_votes(figure.add_subplot(grid[2]), stats, entry_titles, labels)
        output = io.BytesIO()
        figure.savefig(output, format="png", dpi=DPI, metadata={"Software": None})
    return output.getvalue()


def _draw_periods(figure: Figure, stats: Stats, labels: ChartLabels) -> None:
    """Three columns under the title: the period's name, then its messages and users."""
    periods = (
        (labels.day, stats.day),
        (labels.week, stats.week),
        (labels.all_time, stats.all_time),
    )
    for x, (name, activity) in zip((1 / 6, 3 / 6, 5 / 6), periods, strict=True):
        figure.text(x, 0.925, _plain(name), ha="center", fontweight="bold")
        line = labels.period_line.format(messages=activity.messages, users=activity.users)
        figure.text(x, 0.9, _plain(line), ha="center")


def _draw_outcomes(axes: Axes, stats: Stats, labels: ChartLabels) -> None:
    activity = stats.all_time
    axes.set_title(
        _plain(
            labels.outcomes.format(questions=activity.questions, small_talk=activity.small_talk)
        ),
        loc="left",
    )
    if not activity.questions:
        _no_data(axes, labels)
        return
    parts = (
        (labels.answered, activity.answered, activity.answered_share, ANSWERED_COLOR),
        (labels.suggested, activity.suggested, activity.suggested_share, SUGGESTED_COLOR),
        (labels.not_found, activity.not_found, activity.not_found_share, NOT_FOUND_COLOR),
    )
    left = 0.0
    for name, count, share, color in parts:
        axes.barh([0], [share], left=left, color=color, label=f"{_plain(name)}: {count}")
        if share >= 0.08:  # narrower segments have no room for their number
            axes.text(left + share / 2, 0, f"{share:.0%}", ha="center", va="center", color="white")
        left += share
    axes.set_xlim(0, 1)
    axes.set_yticks([])
    axes.xaxis.set_major_formatter("{x:.0%}")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35), ncols=3, frameon=False)


def _draw_top_entries(
    axes: Axes, stats: Stats, entry_titles: Mapping[str, str], labels: ChartLabels
) -> None:
    axes.set_title(_plain(labels.top_entries), loc="left")
    top = stats.top_entries[:MAX_BARS]
    if not top:
        _no_data(axes, labels)
        return
    positions = range(len(top))
    counts = [item.count for item in top]
    axes.barh(positions, counts, color=ASKED_COLOR)
    axes.set_yticks(positions, [_title(item.entry_id, entry_titles) for item in top])
    axes.invert_yaxis()  # the most asked on top
    for position, count in zip(positions, counts, strict=True):
        axes.text(count, position, f" {count}", va="center")
    axes.set_xlim(0, max(counts) * 1.15)
    axes.xaxis.get_major_locator().set_params(integer=True)


def _draw_votes(
    axes: Axes, stats: Stats, entry_titles: Mapping[str, str], labels: ChartLabels
) -> None:
    axes.set_title(_plain(labels.votes), loc="left")
    voted = stats.votes[:MAX_BARS]
    if not voted:
        _no_data(axes, labels)
        return
    positions = range(len(voted))
    ups = [item.up for item in voted]
    downs = [-item.down for item in voted]
    axes.barh(positions, ups, color=ANSWERED_COLOR, label=_plain(labels.helpful))
    axes.barh(positions, downs, color=NOT_FOUND_COLOR, label=_plain(labels.not_helpful))
    axes.set_yticks(positions, [_title(item.entry_id, entry_titles) for item in voted])
    axes.invert_yaxis()
    axes.axvline(0, color=MUTED_COLOR, linewidth=0.8)
    reach = max(max(ups), -min(downs)) * 1.25
    axes.set_xlim(-reach, reach)
    for position, (up, down) in enumerate(zip(ups, downs, strict=True)):
        axes.text(up, position, f" +{up}", va="center", ha="left")
        axes.text(down, position, f"−{-down} ", va="center", ha="right")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.xaxis.set_major_formatter(lambda value, _position: f"{abs(value):g}")
    axes.legend(loc="lower right", frameon=False)


def _no_data(axes: Axes, labels: ChartLabels) -> None:
    axes.text(
        0.5, 0.5, _plain(labels.no_data), ha="center", va="center", color=MUTED_COLOR, fontsize=13
    )
    axes.set_xticks([])
    axes.set_yticks([])


def _title(entry_id: str, entry_titles: Mapping[str, str]) -> str:
    """An entry's question on at most two short lines for an axis label; its id if it is gone."""
    title = " ".join(_plain(entry_titles.get(entry_id) or entry_id).split()) or entry_id
    return "\n".join(textwrap.wrap(title, TITLE_LINE_CHARS, max_lines=2, placeholder=" …"))


def _plain(text: str) -> str:
    """Text as matplotlib should draw it: only characters the font has, no math mode.

    Emoji and other characters missing from the font would be drawn as empty boxes, so they
    are left out. A ``$`` pair would start matplotlib's TeX-like math mode; escaped, it is a
    dollar sign.
    """
    drawable = _font_characters()
    kept = "".join(char for char in text if ord(char) in drawable or char.isspace())
    return kept.replace("$", r"\$")


@functools.cache
def _font_characters() -> frozenset[int]:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=True)
    return frozenset(FT2Font(path).get_charmap())

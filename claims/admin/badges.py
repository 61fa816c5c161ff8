"""Small coloured labels for lists and pages: which way evidence points, a review state, a
synthesis level. Colours come from claims/static/claims/admin.css; the words are always there
too, so nothing depends on telling colours apart.
"""

from collections.abc import Mapping

from django.utils.html import format_html, format_html_join

from claims.choices import Direction, Status, SynthesisLevel

CSS = "claims/admin.css"

DIRECTION_WORDS = {
    Direction.SUPPORTS: "supporting",
    Direction.CONTRADICTS: "contradicting",
    Direction.INCONCLUSIVE: "inconclusive",
}
# What a badge shows instead of the word: + for, − against, ? neither.
DIRECTION_SIGNS = {Direction.SUPPORTS: "+", Direction.CONTRADICTS: "−", Direction.INCONCLUSIVE: "?"}


def direction_counts(counts: Mapping[str, int], *, note: str = "", zeros: bool = True):
    """One badge per direction: its sign and count (screen readers get the words, as does the
    tooltip); zeros muted, or left out with zeros=False."""
    shown = [d for d in Direction.values if zeros or counts.get(d)]
    return format_html(
        '<span class="badges">{}</span>',
        format_html_join(
            "",
            '<span class="badge direction-{}{}" title="{}"><span aria-hidden="true">{}{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            (
                (
                    direction,
                    "" if counts.get(direction) else " zero",
                    _words(counts.get(direction, 0), direction, note),
                    DIRECTION_SIGNS[direction],
                    counts.get(direction, 0),
                    _words(counts.get(direction, 0), direction, note),
                )
                for direction in shown
            ),
        ),
    )


def _words(n: int, direction: str, note: str) -> str:
    return f"{n} {DIRECTION_WORDS[direction]}" + (f" ({note})" if note else "")


def direction(value: str):
    """An evidence item's direction, in words."""
    return format_html(
        '<span class="badge direction-{}">{} {}</span>',
        value,
        DIRECTION_SIGNS.get(value, ""),
        Direction(value).label,
    )


def state(value: str):
    """A claim's or evidence item's review state."""
    return format_html('<span class="badge state-{}">{}</span>', value, Status(value).label)


def level(value: str, *, contested: bool = False, score=None):
    """A synthesis level; contested claims say so with a mark that stands out in a list."""
    title = f"synthesis level {SynthesisLevel(value).label.lower()}"
    if score is not None:
        title += f", score {score:g}"
    mark = (
        format_html(
            ' <span class="contested-mark" title="{}">⚖ contested</span>',
            "accepted evidence both supports and contradicts it",
        )
        if (contested and value != SynthesisLevel.CONTESTED)
        else ""
    )
    return format_html(
        '<span class="badge level-{}" title="{}">{}</span>{}', value, title, SynthesisLevel(value).label, mark
    )

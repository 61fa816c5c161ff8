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


def direction_counts(counts: Mapping[str, int], *, what: str = "evidence items"):
    """One badge per direction: its sign and count, the words in its tooltip; zeros muted."""
    return format_html(
        '<span class="badges">{}</span>',
        format_html_join(
            "",
            '<span class="badge direction-{}{}" title="{} {} {}">{}{}</span>',
            (
                (
                    direction,
                    "" if counts.get(direction) else " zero",
                    counts.get(direction, 0),
                    DIRECTION_WORDS[direction],
                    what,
                    DIRECTION_SIGNS[direction],
                    counts.get(direction, 0),
                )
                for direction in Direction.values
            ),
        ),
    )


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

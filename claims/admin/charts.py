"""Charts drawn on the server as inline SVG: no script, nothing fetched, readable as text.

Pure functions from counts to markup; every label and number passes through django.utils.html's
escaping, since evidence-type labels are data that curators edit.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from claims.choices import Direction

# Okabe-Ito hues (told apart with the common colour-vision deficiencies), darkened for white
# numbers; the legend and the numbers say the same in words.
COLOURS = {Direction.SUPPORTS: "#00805d", Direction.CONTRADICTS: "#b84a00", Direction.INCONCLUSIVE: "#6e6e6e"}
# The same, half mixed with white: items not accepted yet. Solid colours carry white numbers,
# pale ones dark numbers, legible on the admin's light and dark themes alike.
PALE = {Direction.SUPPORTS: "#80c0ae", Direction.CONTRADICTS: "#dca580", Direction.INCONCLUSIVE: "#b7b7b7"}
INK = {"solid": "#fff", "pale": "#1a1a1a"}
WORDS = {
    Direction.SUPPORTS: "supporting",
    Direction.CONTRADICTS: "contradicting",
    Direction.INCONCLUSIVE: "inconclusive",
}

# The evidence type's label, left of its bar: room for LABEL_CHARACTERS at 12px in a wide
# sans-serif (DejaVu Sans draws "animal model system study evidence" 225px wide).
LABEL_WIDTH = 260
BAR_WIDTH = 300  # the longest bar; the others in proportion
TOTAL_WIDTH = 80  # the number of items, right of the bar
ROW = 24
BAR = 16
LEGEND = 28
LABEL_CHARACTERS = 34
MIN_NUMBER_WIDTH = 14  # narrower segments carry their number in their tooltip only


@dataclass(frozen=True)
class Bar:
    """One evidence type's items by direction; `pending`, those of them not yet accepted."""

    label: str
    counts: Mapping[str, int]
    pending: Mapping[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.get(d, 0) for d in Direction.values)


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else f"{label[: LABEL_CHARACTERS - 1]}…"


def _summary(bar: Bar) -> str:
    parts = []
    for direction in Direction.values:
        n, pending = bar.counts.get(direction, 0), bar.pending.get(direction, 0)
        parts.append(f"{n} {WORDS[direction]}" + (f" ({pending} not yet accepted)" if pending else ""))
    return f"{bar.label}: {', '.join(parts)}"


def _segments(bar: Bar, y: int, unit: float):
    """The rectangles of one bar, left to right: per direction its accepted items, then (paler)
    the rest."""
    x = float(LABEL_WIDTH)
    for direction in Direction.values:
        n = bar.counts.get(direction, 0)
        if not n:
            continue
        pending = min(bar.pending.get(direction, 0), n)
        width = n * unit
        tip = f"{bar.label}: {n} {WORDS[direction]}" + (f", {pending} not yet accepted" if pending else "")
        solid = (n - pending) * unit
        parts = []
        if n - pending:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _px(x),
                    y,
                    _px(solid),
                    BAR,
                    COLOURS[direction],
                )
            )
        if pending:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _px(x + solid),
                    y,
                    _px(pending * unit),
                    BAR,
                    PALE[direction],
                )
            )
        number = (
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}" font-size="11">{}</text>',
                _px(x + width / 2),
                y + BAR - 4,
                INK["pale" if 2 * pending > n else "solid"],
                n,
            )
            if width >= MIN_NUMBER_WIDTH
            else ""
        )
        yield format_html(
            '<g class="segment" data-direction="{}" data-count="{}" data-pending="{}" '
            'data-width="{}"><title>{}</title>{}{}</g>',
            direction,
            n,
            pending,
            _px(width),
            tip,
            _join(parts),
            number,
        )
        x += width


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _px(value: float) -> str:
    """A coordinate as SVG reads it, without float noise: 12, 37.5."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _legend():
    items, x = [], 0
    for direction in Direction.values:
        items.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="14" font-size="12" fill="currentColor">{}</text>',
                x,
                COLOURS[direction],
                x + 16,
                WORDS[direction],
            )
        )
        x += 16 + 8 * len(WORDS[direction]) + 16
    # The pale swatch: the three pale colours side by side.
    items.extend(
        format_html('<rect x="{}" y="4" width="4" height="12" fill="{}"/>', x + 4 * i, PALE[direction])
        for i, direction in enumerate(Direction.values)
    )
    items.append(
        format_html(
            '<text x="{}" y="14" font-size="12" fill="currentColor">paler: not yet accepted</text>', x + 16
        )
    )
    return format_html('<g class="legend">{}</g>', _join(items))


def evidence_by_type(
    bars: Sequence[Bar], *, title: str = "Evidence by type and direction", chart_id: str = "evidence-chart"
) -> SafeString:
    """A horizontal bar per evidence type, split by direction, with its counts and a legend.

    Bars are drawn in the order given; the longest is BAR_WIDTH wide and the others in
    proportion, so equal numbers of items have equal lengths across bars. Empty when there
    is no item at all."""
    bars = [bar for bar in bars if bar.total]
    if not bars:
        return SafeString("")
    unit = BAR_WIDTH / max(bar.total for bar in bars)
    width = LABEL_WIDTH + BAR_WIDTH + TOTAL_WIDTH
    height = LEGEND + ROW * len(bars)
    rows = []
    for index, bar in enumerate(bars):
        y = LEGEND + index * ROW
        rows.append(
            format_html(
                '<g class="bar" data-label="{}" data-total="{}">'
                '<text x="{}" y="{}" text-anchor="end" font-size="12" fill="currentColor">'
                "<title>{}</title>{}</text>{}"
                '<text x="{}" y="{}" font-size="12" fill="currentColor">{}</text></g>',
                bar.label,
                bar.total,
                LABEL_WIDTH - 8,
                y + BAR - 4,
                bar.label,
                _short(bar.label),
                _join(_segments(bar, y, unit)),
                _px(LABEL_WIDTH + bar.total * unit + 6),
                y + BAR - 4,
                _items(bar.total),
            )
        )
    description = "; ".join(_summary(bar) for bar in bars) + "."
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="evidence-chart" role="img" '
        'width="{}" height="{}" viewBox="0 0 {} {}" aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}{}</svg>',
        width,
        height,
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        _legend(),
        _join(rows),
    )

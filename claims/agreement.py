"""How often reviewers agree: for each pair of reviewers, their verdicts on the same items.

An item is a claim or an evidence item in one review round: both reviewers judged the same
submission. Each pair gets the raw counts (first reviewer's verdict x second's) and Cohen's
kappa, the agreement beyond what their own habits would give by chance:

    kappa = (p_observed - p_expected) / (1 - p_expected)

where p_observed is the share of items with the same verdict, and p_expected sums, over the
verdicts, the product of the shares with which each reviewer gave it. Kappa is shown only
from MIN_ITEMS shared items on; it is undefined when chance alone would agree on every item
(both reviewers always gave one and the same verdict), and then it says so.

A lead curator reads it to find where the rules are unclear: a pair that disagrees often.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F

from claims.choices import Verdict
from claims.models import CuratorReview

MIN_ITEMS = 5
VERDICTS = tuple(Verdict.values)


@dataclass(frozen=True)
class Pair:
    """Two reviewers' verdicts on the items both reviewed in the same round."""

    first: str  # usernames, first < second by user id
    second: str
    counts: dict  # {(first's verdict, second's verdict): items}, every pair of verdicts
    items: int
    kappa: float | None
    note: str  # why kappa is not shown, or ""

    @property
    def agreed(self) -> int:
        return sum(self.counts[(verdict, verdict)] for verdict in VERDICTS)


def cohen_kappa(counts, categories=VERDICTS) -> float | None:
    """Cohen's kappa of a table {(rater 1's category, rater 2's): items}; None when it is
    undefined (no items, or chance agreement is certain: one category throughout)."""
    n = sum(counts.values())
    if n == 0:
        return None
    first = Counter()
    second = Counter()
    for (a, b), items in counts.items():
        first[a] += items
        second[b] += items
    observed = sum(counts.get((c, c), 0) for c in categories) / n
    expected = sum(first[c] * second[c] for c in categories) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def _paired(target: str):
    """(first, second, first's verdict, second's verdict, items) for reviews of the same
    target in the same round, each pair once (the first reviewer has the smaller id)."""
    other = f"{target}__reviews"
    return (
        CuratorReview.objects.filter(
            **{
                f"{target}__isnull": False,
                f"{other}__review_round": F("review_round"),
                f"{other}__reviewer__gt": F("reviewer"),
            }
        )
        .values_list(
            "reviewer_id",
            f"{other}__reviewer_id",
            "reviewer__username",
            f"{other}__reviewer__username",
            "verdict",
            f"{other}__verdict",
        )
        .annotate(items=Count("pk"))
        .order_by()
    )


def reviewer_agreement(min_items: int = MIN_ITEMS) -> list[Pair]:
    """Every pair of reviewers who reviewed an item in the same round, most shared items
    first; two queries (claims, evidence), whatever the number of reviews."""
    tables = {}
    names = {}
    for target in ("claim", "evidence"):
        for first, second, first_name, second_name, verdict_1, verdict_2, items in _paired(target):
            names[(first, second)] = (first_name, second_name)
            table = tables.setdefault((first, second), Counter())
            table[(verdict_1, verdict_2)] += items
    pairs = []
    for key, table in tables.items():
        counts = {(a, b): table.get((a, b), 0) for a in VERDICTS for b in VERDICTS}
        items = sum(counts.values())
        kappa = cohen_kappa(counts)
        if items < min_items:
            kappa, note = None, f"too few items ({items}; kappa from {min_items})"
        elif kappa is None:
            note = "kappa undefined: both gave one and the same verdict throughout"
        else:
            note = ""
        pairs.append(Pair(*names[key], counts=counts, items=items, kappa=kappa, note=note))
    pairs.sort(key=lambda pair: (-pair.items, pair.first, pair.second))
    return pairs

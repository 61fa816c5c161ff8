"""The claim page's evidence at a glance, above its evidence rows: a chart of the items by
evidence type and direction, the synthesis level with its rule in words, and the papers cited
with links to their DOI and PubMed records.

Two queries whatever the number of items: the claim's evidence grouped, and its papers.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import Count
from django.urls import reverse

from claims.admin import badges, charts
from claims.admin.list_filters import COUNTED
from claims.choices import Direction, Status
from claims.models import Claim, Paper


def doi_url(doi: str) -> str:
    return f"https://doi.org/{quote(doi, safe='/')}" if doi else ""


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid, safe='')}/" if pmid else ""


@dataclass
class CitedPaper:
    paper: Paper
    counts: dict = field(default_factory=lambda: dict.fromkeys(Direction.values, 0))

    @property
    def admin_url(self) -> str:
        return reverse("admin:claims_paper_change", args=[self.paper.pk])

    @property
    def doi_url(self) -> str:
        return doi_url(self.paper.doi)

    @property
    def pubmed_url(self) -> str:
        return pubmed_url(self.paper.pmid)

    @property
    def badges(self):
        return badges.direction_counts(self.counts, note="items of this claim citing it", zeros=False)


def glance(claim: Claim) -> dict:
    """What the claim page shows above its evidence rows (rejected items left out)."""
    rows = (
        COUNTED.filter(claim=claim)
        .order_by()
        .values("evidence_type_id", "evidence_type__label", "direction", "status", "paper_id")
        .annotate(n=Count("pk"))
    )
    counts = defaultdict(lambda: defaultdict(int))
    pending = defaultdict(lambda: defaultdict(int))
    labels, by_paper = {}, defaultdict(lambda: defaultdict(int))
    for row in rows:
        kind = row["evidence_type_id"]
        labels[kind] = row["evidence_type__label"]
        counts[kind][row["direction"]] += row["n"]
        if row["status"] != Status.ACCEPTED:
            pending[kind][row["direction"]] += row["n"]
        by_paper[row["paper_id"]][row["direction"]] += row["n"]
    bars = sorted(
        (charts.Bar(labels[kind], dict(counts[kind]), dict(pending[kind])) for kind in counts),
        key=lambda bar: (-bar.total, bar.label),
    )
    papers = [
        CitedPaper(paper, {**dict.fromkeys(Direction.values, 0), **by_paper[paper.pk]})
        for paper in Paper.objects.filter(pk__in=list(by_paper)).order_by("-year", "title", "pk")
    ]
    synthesis = claim.synthesis or {}
    return {
        "chart": charts.evidence_by_type(bars, title="Evidence of this claim by type and direction"),
        "items": sum(bar.total for bar in bars),
        "pending": sum(sum(p.values()) for p in pending.values()),
        "level": badges.level(claim.synthesis_level, contested=claim.contested, score=synthesis.get("score")),
        "rule": synthesis.get("rule", ""),
        "papers": papers,
    }


class ShowsEvidenceAtAGlance:
    """A stored claim's page carries `evidence_glance` for its template (admin/claims/claim/
    change_form.html)."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["evidence_glance"] = glance(obj)
        return super().render_change_form(
            request, context, add=add, change=change, form_url=form_url, obj=obj
        )

"""Changelist filters that follow the evidence: its type (with the ECO tree below it) and its
direction. The work queues are in queues.py."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Exists, OuterRef

from claims.choices import Direction, Status
from claims.models import Evidence, EvidenceType
from claims.models.base import as_id

# Rejected evidence points nowhere any more: the lists, badges and the claim's chart leave it out.
COUNTED = Evidence.objects.exclude(status=Status.REJECTED)


class EvidenceTypeTreeFilter(admin.SimpleListFilter):
    """The evidence types in use, under their ancestors: choosing a type finds the evidence
    filed under it or any type below it (ECO's is_a tree), as the API's filter does.

    Two queries whatever the size of the vocabulary: the types, and those evidence cites."""

    title = "evidence type"
    parameter_name = "evidence_type"

    def lookups(self, request, model_admin):
        rows = EvidenceType.objects.order_by().values_list("pk", "parent_id", "label")
        self.parents = {pk: parent for pk, parent, _ in rows}
        labels = {pk: label for pk, _, label in rows}
        shown = set()
        for pk in Evidence.objects.order_by().values_list("evidence_type_id", flat=True).distinct():
            while pk is not None and pk not in shown:  # a cycle ends at a type seen already
                shown.add(pk)
                pk = self.parents.get(pk)
        children = {}
        for pk in shown:
            parent = self.parents[pk] if self.parents[pk] in shown else None
            children.setdefault(parent, []).append(pk)
        choices, todo = [], [(pk, 0) for pk in sorted(children.get(None, ()), key=labels.get, reverse=True)]
        while todo:
            pk, depth = todo.pop()
            choices.append((str(pk), f"{'· ' * depth}{labels[pk]}"))
            todo.extend(
                (child, depth + 1) for child in sorted(children.get(pk, ()), key=labels.get, reverse=True)
            )
        return choices

    def subtree(self) -> set[int]:
        chosen = as_id(self.value())
        if chosen is None:
            raise IncorrectLookupParameters(f"No evidence type {self.value()!r}.")
        found, grew = {chosen}, True
        while grew:
            below = {pk for pk, parent in self.parents.items() if parent in found} - found
            found |= below
            grew = bool(below)
        return found

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if queryset.model is Evidence:
            return queryset.filter(evidence_type_id__in=self.subtree())
        return queryset.filter(
            Exists(COUNTED.filter(claim=OuterRef("pk"), evidence_type_id__in=self.subtree()))
        )


class EvidenceDirectionFilter(admin.SimpleListFilter):
    """Claims with evidence (not rejected) that points this way."""

    title = "evidence direction"
    parameter_name = "direction"

    def lookups(self, request, model_admin):
        return [
            (Direction.SUPPORTS, "has supporting evidence"),
            (Direction.CONTRADICTS, "has contradicting evidence"),
            (Direction.INCONCLUSIVE, "has inconclusive evidence"),
        ]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        if self.value() not in Direction.values:
            raise IncorrectLookupParameters(f"No direction {self.value()!r}.")
        return queryset.filter(Exists(COUNTED.filter(claim=OuterRef("pk"), direction=self.value())))

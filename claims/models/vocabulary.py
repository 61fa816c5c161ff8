from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from claims.models.base import StorableText

ECO_ID = r"^ECO:[0-9]{7}$"


class EvidenceTypeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class EvidenceType(StorableText, models.Model):
    """A kind of evidence, aligned with the Evidence & Conclusion Ontology."""

    code = models.SlugField(max_length=64, unique=True)
    label = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    eco_id = models.CharField(
        "ECO id", max_length=11, blank=True,
        validators=[RegexValidator(ECO_ID, "An ECO id is ECO: and 7 digits, e.g. ECO:0000179.")],
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    weight = models.DecimalField(max_digits=4, decimal_places=2, default=1,
                                 validators=[MinValueValidator(0)],
                                 help_text="Relative strength used when weighing evidence.")
    obsolete = models.BooleanField(
        default=False,
        help_text="Withdrawn from the ontology: kept for the evidence that cites it, never "
                  "offered for new evidence.")

    objects = EvidenceTypeManager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(eco_id="") | Q(eco_id__regex=ECO_ID),
                                   name="evidence_type_eco_id_format"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="evidence_type_weight_positive"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")),
                                   name="evidence_type_not_own_parent"),
        ]

    def __str__(self):
        return self.label

    def natural_key(self):
        return (self.code,)

    def clean(self):
        # The types form a tree: walking up from the new parent must never reach this type.
        seen, parent = set(), self.parent
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": "This parent would make the evidence types a "
                                                 "cycle; they form a tree."})
            seen.add(parent.pk)
            parent = parent.parent

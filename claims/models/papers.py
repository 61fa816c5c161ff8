import re
import unicodedata
import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.choices import PublicationType
from claims.models.base import StorableText, Timestamped, as_id

DOI_PATTERN = re.compile(r"10\.[0-9]{4,9}/\S+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/",
                 "http://dx.doi.org/", "doi.org/", "doi:")
MIN_YEAR = 1800


def normalise_doi(value: str) -> str:
    """Lower case, without resolver prefixes: DOIs compare case-insensitively."""
    doi = (value or "").strip()
    lowered = doi.lower()
    for prefix in _DOI_PREFIXES:
        if lowered.startswith(prefix):
            doi = doi[len(prefix):].strip()
            break
    return doi.lower()


def normalise_pmid(value: str) -> str:
    pmid = (value or "").strip()
    if pmid.lower().startswith("pmid:"):
        pmid = pmid[5:].strip()
    return pmid


def paper_reference(value) -> tuple[str, dict] | None:
    """How people name a paper: its database id (digits), pmid:NNN, or a DOI in any case,
    with or without a resolver prefix. Returns (what it is, a lookup), or None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if text.isascii() and text.isdigit():
        return "id", {"pk": as_id(text) or 0}
    if text.lower().startswith("pmid:"):
        pmid = normalise_pmid(text)
        return ("PMID", {"pmid": pmid}) if pmid.isascii() and pmid.isdigit() else None
    if normalise_doi(text).startswith("10."):
        return "DOI", {"doi": normalise_doi(text)}
    return None


class DOIField(models.CharField):
    def to_python(self, value):
        return normalise_doi(super().to_python(value))


class PMIDField(models.CharField):
    def to_python(self, value):
        return normalise_pmid(super().to_python(value))


def _invisible(value: str) -> str | None:
    """The first character that shows as nothing (a zero-width space, a direction mark, a
    control), as U+XXXX: a DOI carrying one looks like another paper's and is not its own."""
    found = next((c for c in value if c != " " and unicodedata.category(c)[0] in "CZ"), None)
    return None if found is None else f"U+{ord(found):04X}"


def validate_doi(value):
    invisible = value and _invisible(value)
    if invisible:
        raise ValidationError(
            "This DOI holds an invisible character (%(char)s): copy it again from the paper.",
            code="invalid_doi", params={"char": invisible})
    if value and not DOI_PATTERN.fullmatch(value):
        raise ValidationError(
            "%(value)s is not a DOI: expected 10.NNNN/suffix, e.g. 10.1002/ana.22534.",
            code="invalid_doi",
            params={"value": value},
        )


def validate_pmid(value):
    if value and not (value.isascii() and value.isdigit()):
        raise ValidationError("A PMID has digits only, e.g. 20167253.", code="invalid_pmid")


def validate_authors(value):
    if not isinstance(value, list) or not all(isinstance(a, str) and a.strip() for a in value):
        raise ValidationError("Authors are an ordered list of non-empty names.", code="invalid")


class TopicManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Topic(StorableText, models.Model):
    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)

    objects = TopicManager()

    class Meta:
        ordering = ["slug"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class PaperManager(models.Manager):
    def get_by_natural_key(self, identifier):
        """A paper is named by its DOI, else its PMID, else its URL."""
        if identifier.startswith("10."):
            return self.get(doi=normalise_doi(identifier))
        if identifier.isdigit():
            return self.get(pmid=identifier)
        return self.get(url=identifier)


class Paper(Timestamped):
    # A DOI can be corrected; mirrors and the change feed follow the paper by this instead.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    doi = DOIField("DOI", max_length=255, blank=True, validators=[validate_doi],
                   help_text="Stored lower case, without https://doi.org/ or doi:")
    pmid = PMIDField("PMID", max_length=16, blank=True, validators=[validate_pmid])
    title = models.TextField()
    authors = models.JSONField(default=list, blank=True, validators=[validate_authors],
                               help_text="Ordered list of author names.")
    authors_complete = models.BooleanField(
        "author list complete", default=True,
        help_text="Off when the list holds only some of the authors (shown as \"et al.\").")
    journal = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    volume = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    abstract = models.TextField(blank=True)
    publication_type = models.CharField(max_length=32, choices=PublicationType.choices,
                                        default=PublicationType.RESEARCH_ARTICLE)
    url = models.URLField("URL", max_length=500, blank=True)
    is_retracted = models.BooleanField("retracted", default=False)
    retraction_date = models.DateField(null=True, blank=True)
    retraction_url = models.URLField("retraction notice", max_length=500, blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="papers")
    # A preprint names the paper it was published as; evidence citing both on one claim counts
    # once in the synthesis (claims/synthesis.py).
    published_version = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="preprints",
        help_text="For a preprint: the paper it was published as.")

    history = HistoricalRecords()
    objects = PaperManager()

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["doi"], condition=~Q(doi=""),
                                    name="paper_doi_unique", violation_error_code="duplicate_doi",
                                    violation_error_message="A paper with this DOI already exists."),
            models.UniqueConstraint(fields=["pmid"], condition=~Q(pmid=""),
                                    name="paper_pmid_unique", violation_error_code="duplicate_pmid",
                                    violation_error_message="A paper with this PMID already exists."),
            models.CheckConstraint(
                condition=~Q(doi="") | ~Q(pmid="") | ~Q(url=""),
                name="paper_has_identifier",
                violation_error_message="A paper needs at least one of DOI, PMID or URL.",
            ),
            models.CheckConstraint(
                condition=Q(doi="") | (Q(doi__startswith="10.") & Q(doi__contains="/")
                                       & Q(doi=Lower("doi"))),
                name="paper_doi_normalised",
                violation_error_message="A DOI is stored lower case and starts with 10.",
            ),
            models.CheckConstraint(condition=Q(pmid="") | Q(pmid__regex=r"^[0-9]+$"),
                                   name="paper_pmid_digits",
                                   violation_error_message="A PMID has digits only."),
            models.CheckConstraint(condition=Q(year__isnull=True) | Q(year__gte=MIN_YEAR),
                                   name="paper_year_plausible",
                                   violation_error_message=f"The year is {MIN_YEAR} or later."),
            models.CheckConstraint(condition=Q(publication_type__in=PublicationType.values),
                                   name="paper_publication_type_valid"),
            models.CheckConstraint(
                condition=Q(is_retracted=True) | (Q(retraction_date__isnull=True)
                                                  & Q(retraction_url="")),
                name="paper_retraction_notice_needs_flag",
                violation_error_message="A retraction date or notice needs the retracted flag.",
            ),
            models.CheckConstraint(condition=~Q(published_version=F("pk")),
                                   name="paper_not_its_own_published_version",
                                   violation_error_message="A paper is not its own published "
                                                           "version."),
        ]
        indexes = [models.Index(fields=["year"]), models.Index(fields=["journal"])]

    def __str__(self):
        label = self.doi or (f"PMID:{self.pmid}" if self.pmid else self.url)
        return f"{self.title[:80]} ({label})"

    def natural_key(self):
        return (self.doi or self.pmid or self.url,)

    def clean(self):
        errors = {}
        if self.year is not None and not MIN_YEAR <= self.year <= timezone.now().year + 1:
            errors["year"] = f"The year must be between {MIN_YEAR} and next year."
        if not (self.doi or self.pmid or self.url):
            errors["doi"] = "A paper needs at least one of DOI, PMID or URL."
        link = self._published_version_error()
        if link:
            errors["published_version"] = link
        if errors:
            raise ValidationError(errors)

    def _published_version_error(self) -> str | None:
        """One step from preprint to published version: no loops, no chains."""
        target = self.published_version
        if target is None:
            return None
        if self.pk is not None and target.pk == self.pk:
            return "A paper is not its own published version."
        if target.published_version_id is not None:
            return (f"{target} is itself a preprint of another paper: name that paper, the "
                    "published version.")
        if self.pk is not None and type(self).objects.filter(published_version=self.pk).exists():
            return ("This paper is the published version of other papers (its preprints), so it "
                    "has no published version of its own.")
        return None

    def validate_constraints(self, exclude=None):
        # clean() reports the missing identifier against the doi field; avoid saying it twice.
        if not (self.doi or self.pmid or self.url):
            return
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            raise _on_identifier_fields(exc) from None


_IDENTIFIER_CONSTRAINTS = {"duplicate_doi": "doi", "duplicate_pmid": "pmid"}


def _on_identifier_fields(exc: ValidationError) -> ValidationError:
    """A duplicate DOI or PMID is a mistake in that field: report it there."""
    moved: dict[str, list] = {}
    for field, errors in exc.error_dict.items():
        for error in errors:
            moved.setdefault(_IDENTIFIER_CONSTRAINTS.get(error.code, field), []).append(error)
    return ValidationError(moved)

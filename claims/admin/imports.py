"""Importing papers and claims from CSV and Excel files in the admin (django-import-export).

The library reads the file, previews what it would do and asks for a confirmation. Every row
is saved by the write services (claims/writes.py) as the importing user with the reason
"admin import <file name>", so it is validated, stamped and recorded as an edit in the form
would be; the preview runs the same writes in a transaction that is rolled back. A row that
changes nothing is reported as skipped and writes nothing. A file with any invalid row writes
nothing, at the preview or at the confirmation.
"""

import uuid

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export import fields, resources, widgets
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from claims import workflow, writes
from claims.models import Claim, Paper, Topic
from claims.models.papers import normalise_doi, normalise_pmid

REASON_LENGTH = 100  # django-simple-history's change reason column


class NamesWidget(widgets.Widget):
    """Names in one cell, separated by semicolons: "Mancuso R; Navarro X"."""

    def clean(self, value, row=None, **kwargs):
        return [name.strip() for name in str(value or "").split(";") if name.strip()]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(value or [])


class IdentifierWidget(widgets.CharWidget):
    """A DOI or PMID; a blank cell is no value, so the stored identifier stays."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a PMID that a spreadsheet holds as a number
        return str(value).strip() or None


class TopicsWidget(widgets.ManyToManyWidget):
    """Topics by slug, separated by semicolons; a slug no topic has is an error."""

    def __init__(self):
        super().__init__(Topic, separator=";", field="slug")

    def clean(self, value, row=None, **kwargs):
        slugs = [s.strip() for s in str(value or "").split(self.separator) if s.strip()]
        topics = {t.slug: t for t in Topic.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in topics]
        if unknown:
            raise ValueError(f"No topic has the slug {', '.join(unknown)}; add the topic first "
                             "or correct the slug.")
        return [topics[s] for s in dict.fromkeys(slugs)]

    def render(self, value, obj=None, **kwargs):
        return "; ".join(t.slug for t in value.all()) if value is not None else ""


class SavedThroughServices(resources.ModelResource):
    """Rows saved by writes.save, as the importing user (import_data's `user`), all or none.

    import_id_fields name the columns a row is matched by; the ones the file has are used,
    and get_instance does the matching.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._headers: set[str] = set()
        self._unchanged: set[int] = set()  # rows whose write changed nothing
        self._written: dict[int, int] = {}  # object id -> the row that wrote it

    def import_data(self, dataset, **kwargs):
        # All or nothing: by default the confirmation step would keep the valid rows of a
        # file whose other rows became invalid after the preview.
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        if kwargs.get("user") is None:
            raise ValueError("An import is recorded under a user: pass user=.")
        self._headers = {str(h).strip() for h in dataset.headers or ()}
        # Spreadsheets often end in rows without a value: nothing to import or report.
        while len(dataset) and all(str(v or "").strip() == "" for v in dataset[-1]):
            del dataset[-1]
        super().before_import(dataset, **kwargs)

    def get_import_id_fields(self):
        return [name for name in self._meta.import_id_fields
                if self.fields[name].column_name in self._headers]

    def after_init_instance(self, instance, new, row, **kwargs):
        if new:
            return
        opts = self._meta.model._meta
        user = kwargs["user"]
        if not user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}"):
            raise ValidationError({self.key_field(row): f"This row matches {opts.verbose_name} "
                                   f"{instance.pk} ({instance}), and you may not change "
                                   f"{opts.verbose_name_plural}."})
        if instance.pk in self._written:
            raise ValidationError({self.key_field(row): f"The same {opts.verbose_name} as row "
                                   f"{self._written[instance.pk]}: one row per "
                                   f"{opts.verbose_name}."})

    def key_field(self, row) -> str:
        """The column to report a matching problem against."""
        present = self.get_import_id_fields() or self._meta.import_id_fields
        return next((n for n in present if row.get(self.fields[n].column_name)), present[0])

    def import_instance(self, instance, row, **kwargs):
        # The library sets many-to-many values only after saving; check them with the rest
        # so every problem of the row is reported at once.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field in self._m2m_fields(row):
            try:
                field.clean(row)
            except ValueError as exc:
                errors[field.attribute] = [ValidationError(str(exc), code="invalid")]
        if errors:
            raise ValidationError(errors)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError:
            # The number widgets let decimal.InvalidOperation out for text that is no number;
            # as a ValueError it is reported against its field like other bad values.
            raise ValueError(f"{row.get(field.column_name)} is not a whole number.") from None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # writes.save decides, after normalising the values: a row whose write changes nothing
        # is reported as skipped by after_import_row.
        return False

    def save_instance(self, instance, is_create, row, **kwargs):
        m2m = {field.attribute: field.clean(row) for field in self._m2m_fields(row)}
        try:
            changed = writes.save(instance, actor=kwargs["user"], reason=self.reason(kwargs),
                                  m2m=m2m or None)
        except workflow.TransitionNotAllowed as refused:
            raise ValidationError(refused.message) from None
        if not changed:
            self._unchanged.add(kwargs["row_number"])
        self._written[instance.pk] = kwargs["row_number"]

    def save_m2m(self, instance, row, **kwargs):
        """Saved with the instance by save_instance."""

    def after_import_row(self, row, row_result, **kwargs):
        if kwargs.get("row_number") in self._unchanged:
            row_result.import_type = RowResult.IMPORT_TYPE_SKIP
        super().after_import_row(row, row_result, **kwargs)

    @staticmethod
    def reason(kwargs) -> str:
        return f"admin import {kwargs.get('file_name') or 'file'}"[:REASON_LENGTH]

    def _m2m_fields(self, row):
        return [f for f in self.get_import_fields()
                if isinstance(f.widget, widgets.ManyToManyWidget) and f.column_name in row]


class PaperResource(SavedThroughServices):
    """Papers matched by DOI, else PMID (any case, with or without https://doi.org/)."""

    doi = fields.Field("doi", "doi", IdentifierWidget(), saves_null_values=False)
    pmid = fields.Field("pmid", "pmid", IdentifierWidget(), saves_null_values=False)
    authors = fields.Field("authors", "authors", NamesWidget())
    topics = fields.Field("topics", "topics", TopicsWidget())

    class Meta:
        model = Paper
        name = "Papers (matched by DOI or PMID)"
        fields = ("doi", "pmid", "title", "authors", "authors_complete", "journal", "year",
                  "volume", "pages", "abstract", "publication_type", "url", "topics")
        import_id_fields = ("doi", "pmid")
        clean_model_instances = True
        report_skipped = True

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if not self.get_import_id_fields():
            raise ValueError("The file has no doi or pmid column: papers are matched by them.")

    def get_instance(self, instance_loader, row):
        doi = normalise_doi(IdentifierWidget().clean(row.get("doi")) or "")
        pmid = normalise_pmid(IdentifierWidget().clean(row.get("pmid")) or "")
        by_doi = Paper.objects.filter(doi=doi).first() if doi else None
        by_pmid = Paper.objects.filter(pmid=pmid).first() if pmid else None
        if by_doi and by_pmid and by_doi.pk != by_pmid.pk:
            raise ValidationError({"pmid": f"PMID {pmid} is paper {by_pmid.pk}'s ({by_pmid}), "
                                           f"the DOI paper {by_doi.pk}'s ({by_doi})."})
        paper = by_doi or by_pmid
        # A row does not change the identifier a paper is known by: that is an edit for the
        # paper's own form, where it can be checked.
        if paper and paper.doi and doi and paper.doi != doi:
            raise ValidationError({"doi": f"The PMID names paper {paper.pk} ({paper}), whose "
                                          f"DOI is {paper.doi}."})
        if paper and paper.pmid and pmid and paper.pmid != pmid:
            raise ValidationError({"pmid": f"The DOI names paper {paper.pk} ({paper}), whose "
                                           f"PMID is {paper.pmid}."})
        return paper


class ClaimResource(SavedThroughServices):
    """Claims by uid when the row gives one (an edit), else new drafts of the importing user.

    Status is the workflow's: it is never a column."""

    uid = fields.Field("uid", "uid", readonly=True)
    topics = fields.Field("topics", "topics", TopicsWidget())

    class Meta:
        model = Claim
        name = "Claims (matched by uid)"
        fields = ("uid", "text", "subject", "relation", "object", "context", "topics")
        import_id_fields = ("uid",)
        clean_model_instances = True
        report_skipped = True

    def get_instance(self, instance_loader, row):
        text = str(row.get("uid") or "").strip()
        if not text:
            return None
        try:
            uid = uuid.UUID(text)
        except ValueError:
            raise ValidationError({"uid": f"{text} is not a claim uid (a UUID); leave it "
                                          "blank to add a new claim."}) from None
        claim = Claim.objects.filter(uid=uid).first()
        if claim is None:
            raise ValidationError({"uid": f"No claim has the uid {uid}; leave it blank to add "
                                          "a new claim."})
        return claim


class ImportsThroughServices(ImportMixin):
    """The admin's import page: CSV or Excel, a preview, then a confirmation.

    The page is for users with the add permission (IMPORT_EXPORT_IMPORT_PERMISSION_CODE).
    """

    import_formats = (CSV, XLSX)

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.fields["import_file"].widget.attrs["accept"] = ".csv,.xlsx"
        return form

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        # Rows that were valid at the preview are not any more (an edit or a review landed
        # in between); the import was rolled back.
        problems = [f"row {row.number}, {'row' if name == NON_FIELD_ERRORS else name}: "
                    f"{message}" for row in result.invalid_rows
                    for name, found in row.error_dict.items() for message in found]
        problems += [f"row {number}: {error.error}" for number, errors in result.row_errors()
                     for error in errors]
        problems += [str(error.error) for error in result.base_errors]
        messages.error(request, "Nothing was imported: " + "; ".join(problems))
        return HttpResponseRedirect(reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
            current_app=self.admin_site.name))

"""Importing papers and claims from CSV and Excel files in the admin: upload, preview, confirm.

Every row goes through the write services as the importing curator; a file with any bad row
writes nothing; importing the same file again changes nothing."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims import workflow
from claims.choices import Status
from claims.models import Claim, Paper
from tests.factories import make_claim, make_paper, make_topic, make_user

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the import form's format choices, in the order of import_formats

PAPERS = [
    ["doi", "title", "authors", "journal", "year", "topics"],
    ["10.5555/admin-import.1", "A test paper on motoneuron survival", "Tester A; Tester B",
     "Journal of Tests", "2019", "als"],
    ["10.5555/admin-import.2", "A second test paper", "Tester C", "Journal of Tests", "2020",
     "als; sigma-1r"],
]
CLAIMS = [
    ["text", "subject", "relation", "object", "context", "topics"],
    ["Test agonist A increases survival of test mice", "test agonist A", "increases",
     "survival", "test mouse", "als"],
    ["Test agonist B has no effect on body weight", "test agonist B", "no_effect",
     "body weight", "test mouse", "als; sigma-1r"],
]


def as_csv(rows) -> bytes:
    return "\n".join(",".join(f'"{cell}"' for cell in row) for row in rows).encode() + b"\n"


def as_xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def url(model, view):
    return reverse(f"admin:claims_{model._meta.model_name}_{view}")


def preview(client, model, content: bytes, name: str, file_format: str = CSV):
    """Upload a file on the import page; the response shows the preview (or the errors)."""
    upload = SimpleUploadedFile(name, content)
    response = client.post(url(model, "import"),
                           {"resource": "0", "format": file_format, "import_file": upload})
    assert response.status_code == 200
    return response


def confirm(client, model, previewed):
    form = previewed.context["confirm_form"]
    return client.post(url(model, "process_import"), {**form.initial, "confirm": "1"})


def import_file(client, model, content, name, file_format=CSV):
    previewed = preview(client, model, content, name, file_format)
    assert "confirm_form" in previewed.context, problems(previewed)
    return confirm(client, model, previewed)


def row_kinds(response) -> list[str]:
    return [row.import_type for row in response.context["result"].rows]


def problems(response) -> dict[int, dict]:
    """{row number: {field: [messages]}} as the preview lists them."""
    return {row.number: row.error_dict for row in response.context["result"].invalid_rows}


def history_rows(model):
    return model.history.model.objects.count()


@pytest.fixture
def curator(client, personas):
    make_topic("als", "Amyotrophic lateral sclerosis")
    make_topic("sigma-1r", "Sigma-1 receptor")
    client.force_login(personas.curator)
    return personas.curator


def test_a_curator_previews_two_new_papers_then_confirms_them(client, curator):
    previewed = preview(client, Paper, as_csv(PAPERS), "papers.csv")
    assert row_kinds(previewed) == ["new", "new"]
    assert "A test paper on motoneuron survival" in previewed.text
    assert Paper.objects.count() == 0  # the preview writes nothing

    response = confirm(client, Paper, previewed)

    assert response.status_code == 302
    papers = Paper.objects.order_by("doi")
    assert [(p.doi, p.title, p.authors, p.year) for p in papers] == [
        ("10.5555/admin-import.1", "A test paper on motoneuron survival",
         ["Tester A", "Tester B"], 2019),
        ("10.5555/admin-import.2", "A second test paper", ["Tester C"], 2020)]
    assert [sorted(p.topics.values_list("slug", flat=True)) for p in papers] == [
        ["als"], ["als", "sigma-1r"]]
    entries = Paper.history.model.objects.all()
    assert [(e.history_type, e.history_user, e.history_change_reason) for e in entries] == [
        ("+", curator, "admin import papers.csv")] * 2


def test_the_same_file_again_is_reported_unchanged_and_writes_nothing(client, curator):
    import_file(client, Paper, as_csv(PAPERS), "papers.csv")
    before = history_rows(Paper), list(Paper.objects.values_list("updated_at", flat=True))

    previewed = preview(client, Paper, as_csv(PAPERS), "papers.csv")
    assert row_kinds(previewed) == ["skip", "skip"]
    response = confirm(client, Paper, previewed)

    assert response.status_code == 302
    assert history_rows(Paper) == before[0]
    assert list(Paper.objects.values_list("updated_at", flat=True)) == before[1]
    assert Paper.objects.count() == 2
    assert "0 new, 0 updated, 0 deleted and 2 skipped" in client.get(url(Paper, "changelist")).text


def test_a_row_for_a_stored_paper_updates_it_matched_by_doi_in_any_spelling(client, curator):
    paper = make_paper(doi="10.5555/admin-import.1", title="Old title", year=2019)
    rows = [["doi", "title"], ["https://doi.org/10.5555/ADMIN-IMPORT.1", "New title"]]

    previewed = preview(client, Paper, as_csv(rows), "titles.csv")
    assert row_kinds(previewed) == ["update"]
    confirm(client, Paper, previewed)

    paper.refresh_from_db()
    assert (paper.title, paper.year, Paper.objects.count()) == ("New title", 2019, 1)
    assert paper.history.first().history_change_reason == "admin import titles.csv"


def test_a_paper_is_matched_by_pmid_when_the_row_has_no_doi(client, curator):
    # Mavlyutov et al. 2010 (fixtures/sigma1r_als.json)
    paper = make_paper(doi="10.1016/j.neuroscience.2010.02.022", pmid="20167253", title="Old")
    rows = [["doi", "pmid", "title"], ["", "20167253", "Lack of sigma-1 receptor"]]

    import_file(client, Paper, as_csv(rows), "by-pmid.csv")

    paper.refresh_from_db()
    assert (paper.title, paper.doi, Paper.objects.count()) == (
        "Lack of sigma-1 receptor", "10.1016/j.neuroscience.2010.02.022", 1)


def test_an_excel_file_imports_like_a_csv_file(client, curator):
    previewed = preview(client, Paper, as_xlsx(PAPERS), "papers.xlsx", XLSX)
    assert row_kinds(previewed) == ["new", "new"]
    confirm(client, Paper, previewed)
    assert sorted(Paper.objects.values_list("doi", flat=True)) == [
        "10.5555/admin-import.1", "10.5555/admin-import.2"]
    assert Paper.history.filter(history_change_reason="admin import papers.xlsx").count() == 2

    again = preview(client, Paper, as_xlsx(PAPERS), "papers.xlsx", XLSX)
    assert row_kinds(again) == ["skip", "skip"]


def test_empty_rows_at_the_end_of_a_file_are_not_rows(client, curator):
    previewed = preview(client, Paper, as_xlsx([*PAPERS, [None] * 6, [""] * 6]), "papers.xlsx",
                        XLSX)
    assert row_kinds(previewed) == ["new", "new"]


def test_a_bad_doi_in_row_2_is_shown_on_that_row_and_nothing_is_written(client, curator):
    rows = [*PAPERS[:2], ["not-a-doi", "A second test paper", "", "", "2020", "als"]]

    previewed = preview(client, Paper, as_csv(rows), "papers.csv")

    assert "confirm_form" not in previewed.context
    assert problems(previewed) == {2: {"doi": [
        "not-a-doi is not a DOI: expected 10.NNNN/suffix, e.g. 10.1002/ana.22534."]}}
    assert "not-a-doi is not a DOI" in previewed.text
    assert Paper.objects.count() == 0
    assert history_rows(Paper) == 0


def test_every_problem_of_a_row_is_named_with_its_field(client, curator):
    rows = [["doi", "title", "year", "topics"],
            ["10.5555/admin-import.1", "", "next century", "als; no-such-topic"]]

    found = problems(preview(client, Paper, as_csv(rows), "papers.csv"))

    assert sorted(found[1]) == ["title", "topics", "year"]
    assert found[1]["topics"] == ["No topic has the slug no-such-topic; add the topic first or "
                                  "correct the slug."]
    assert found[1]["title"] == ["This field cannot be blank."]
    assert found[1]["year"] == ["next century is not a whole number."]


def test_the_same_paper_twice_in_a_file_is_an_error_on_the_second_row(client, curator):
    rows = [PAPERS[0], PAPERS[1], [PAPERS[1][0].upper(), "Same paper again", "", "", "", ""]]

    found = problems(preview(client, Paper, as_csv(rows), "papers.csv"))

    assert found == {2: {"doi": ["The same paper as row 1: one row per paper."]}}
    assert Paper.objects.count() == 0


def test_a_row_whose_doi_and_pmid_name_different_papers_is_refused(client, curator):
    make_paper(doi="10.5555/admin-import.1", pmid="")
    # Mavlyutov et al. 2010 (fixtures/sigma1r_als.json)
    other = make_paper(doi="10.1016/j.neuroscience.2010.02.022", pmid="20167253")
    rows = [["doi", "pmid", "title"], ["10.5555/admin-import.1", "20167253", "Mixed up"]]

    found = problems(preview(client, Paper, as_csv(rows), "papers.csv"))

    assert list(found[1]) == ["pmid"]
    assert f"PMID 20167253 is paper {other.pk}'s" in found[1]["pmid"][0]


def test_a_file_without_doi_or_pmid_columns_is_refused(client, curator):
    response = preview(client, Paper, as_csv([["title"], ["A paper"]]), "papers.csv")
    assert "confirm_form" not in response.context
    assert "no doi or pmid column" in response.text
    assert Paper.objects.count() == 0


def test_claims_are_imported_as_drafts_of_the_importing_curator(client, curator):
    previewed = preview(client, Claim, as_csv(CLAIMS), "claims.csv")
    assert row_kinds(previewed) == ["new", "new"]
    confirm(client, Claim, previewed)

    claims = Claim.objects.order_by("text")
    assert [(c.text, c.relation, c.status, c.created_by, c.updated_by) for c in claims] == [
        ("Test agonist A increases survival of test mice", "increases", Status.DRAFT, curator,
         curator),
        ("Test agonist B has no effect on body weight", "no_effect", Status.DRAFT, curator,
         curator)]
    assert [sorted(c.topics.values_list("slug", flat=True)) for c in claims] == [
        ["als"], ["als", "sigma-1r"]]
    assert {(e.history_user, e.history_change_reason) for e in Claim.history.all()} == {
        (curator, "admin import claims.csv")}

    again = preview(client, Claim, as_csv(CLAIMS), "claims.csv")
    assert row_kinds(again) == ["new", "new"]  # without a uid, a row is a new claim


def test_a_claim_row_with_a_uid_edits_that_claim(client, curator):
    claim = make_claim(created_by=curator, text="Old wording")
    rows = [["uid", "text"], [str(claim.uid), "New wording"], ["", "A new claim"]]

    previewed = preview(client, Claim, as_csv(rows), "claims.csv")
    assert row_kinds(previewed) == ["update", "new"]
    confirm(client, Claim, previewed)

    claim.refresh_from_db()
    assert (claim.text, claim.updated_by, Claim.objects.count()) == ("New wording", curator, 2)


def test_a_claim_under_review_is_not_changed_by_an_import(client, curator, personas):
    claim = make_claim(created_by=personas.other_curator, text="Under review")
    workflow.submit(claim, personas.other_curator)
    rows = [["uid", "text", "status"], [str(claim.uid), "Rewritten", "accepted"]]

    found = problems(preview(client, Claim, as_csv(rows), "claims.csv"))

    assert found == {1: {"text": ["The claim is submitted, so its text is frozen; withdraw "
                                  "it from review to edit it."]}}
    claim.refresh_from_db()
    assert (claim.text, claim.status) == ("Under review", Status.SUBMITTED)


def test_an_unknown_claim_uid_is_an_error_not_a_new_claim(client, curator):
    rows = [["uid", "text"], ["00000000-0000-4000-8000-000000000000", "A claim"]]
    found = problems(preview(client, Claim, as_csv(rows), "claims.csv"))
    assert list(found[1]) == ["uid"]
    assert Claim.objects.count() == 0


def test_rows_that_became_invalid_after_the_preview_write_nothing(client, curator, personas):
    claim = make_claim(created_by=curator, text="Old wording")
    rows = [["uid", "text"], ["", "A new claim"], [str(claim.uid), "New wording"]]
    previewed = preview(client, Claim, as_csv(rows), "claims.csv")
    workflow.submit(claim, curator)  # lands between the preview and the confirmation

    response = confirm(client, Claim, previewed)

    assert Claim.objects.count() == 1
    claim.refresh_from_db()
    assert claim.text == "Old wording"
    shown = client.get(response.url).text
    assert "Nothing was imported: row 2, text: The claim is submitted" in shown


def test_updating_through_an_import_needs_the_change_permission(client, personas):
    adder = make_user("adder")
    adder.is_staff = True
    adder.save()
    adder.user_permissions.add(*Permission.objects.filter(
        codename__in=["add_paper", "view_paper"]))
    paper = make_paper(doi="10.5555/admin-import.1", title="Old title")
    client.force_login(adder)
    rows = [["doi", "title"], ["10.5555/admin-import.1", "New title"],
            ["10.5555/admin-import.2", "A new paper"]]

    found = problems(preview(client, Paper, as_csv(rows), "papers.csv"))

    assert list(found) == [1]
    assert "you may not change papers" in found[1]["doi"][0]
    paper.refresh_from_db()
    assert paper.title == "Old title"


@pytest.mark.parametrize("model", [Paper, Claim], ids=lambda m: m.__name__)
def test_only_users_who_may_add_see_the_import_page(client, personas, model):
    client.force_login(personas.reviewer)
    assert client.get(url(model, "import")).status_code == 403
    upload = SimpleUploadedFile("papers.csv", as_csv(PAPERS))
    assert client.post(url(model, "import"), {"resource": "0", "format": CSV,
                                              "import_file": upload}).status_code == 403
    assert client.post(url(model, "process_import"), {}).status_code == 403
    assert url(model, "import") not in client.get(url(model, "changelist")).text

    client.force_login(personas.curator)
    assert client.get(url(model, "import")).status_code == 200
    assert url(model, "import") in client.get(url(model, "changelist")).text


def test_the_import_page_offers_csv_and_excel_only(client, curator):
    response = client.get(url(Paper, "import"))
    choices = response.context["form"].fields["format"].choices
    assert [label for value, label in choices if value] == ["csv", "xlsx"]
    assert 'accept=".csv,.xlsx"' in response.text

import socket
from io import StringIO
from pathlib import Path
from unittest.mock import ANY

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import Paper
from tests.factories import make_user

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data" / "bibliography"


@pytest.fixture
def chief(db):
    return make_user("chief", superuser=True)


@pytest.fixture
def seeded(chief):
    call_command("seed", "evidence_types", "sigma1r_als", verbosity=0)


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_papers", str(path), *args, stdout=out)
    return out.getvalue()


def refused(path, *args) -> str:
    with pytest.raises(CommandError) as caught:
        run(path, *args)
    return str(caught.value)


def snapshot():
    """Every paper as stored, and how many history rows there are."""
    return list(Paper.objects.order_by("pk").values()), Paper.history.count()


@pytest.mark.parametrize(("name", "papers"), [
    ("sigma1r.ris", 5), ("sigma1r.bib", 5), ("sigma1r.nbib", 3), ("sigma1r_pubmed.xml", 3)])
def test_each_format_imports_its_papers_once_however_often_it_runs(chief, name, papers):
    assert f"created {papers}, updated 0 (blank fields filled), unchanged 0" in run(DATA / name)
    after_first = snapshot()
    assert Paper.objects.count() == papers
    assert all(p.history.get().history_user == chief for p in Paper.objects.all())
    assert {p.history.get().history_change_reason for p in Paper.objects.all()} == {
        f"import_papers {name}"}

    assert f"created 0, updated 0 (blank fields filled), unchanged {papers}" in run(DATA / name)
    assert snapshot() == after_first


def test_ris_fields_arrive_in_the_house_form(chief):
    run(DATA / "sigma1r.ris")
    chapter = Paper.objects.get(doi="10.1007/978-3-319-50174-1_16")
    assert (chapter.publication_type, chapter.journal, chapter.pages) == (
        "book_chapter", "Advances in Experimental Medicine and Biology", "235-254")
    mancuso = Paper.objects.get(doi="10.1007/s13311-012-0140-y")
    assert mancuso.authors == ["Mancuso R", "Oliván S", "Rando A", "Casas C", "Osta R", "Navarro X"]
    luty = Paper.objects.get(doi="10.1002/ana.22274")
    assert luty.authors == ["Luty AA", "Kwok JBJ", "Dobson-Stone C"] and not luty.authors_complete
    assert luty.title.endswith("frontotemporal lobar degeneration-motor neuron disease")


def test_bibtex_accents_braces_and_others_are_read(chief):
    run(DATA / "sigma1r.bib")
    mancuso = Paper.objects.get(doi="10.1007/s13311-012-0140-y")
    assert mancuso.authors[1] == "Oliván S"
    assert mancuso.title == "Sigma-1R Agonist Improves Motor Function and Motoneuron Survival in ALS Mice"
    orphanet = Paper.objects.get(doi="10.1186/1750-1172-9-78")
    assert orphanet.authors == ["Mancuso R", "del Valle J", "Morell M"]
    assert not orphanet.authors_complete
    assert Paper.objects.get(pmid="34955848").pages == "780588"


@pytest.mark.parametrize("name", ["sigma1r.nbib", "sigma1r_pubmed.xml"])
def test_pubmed_records_keep_their_identifiers_and_lose_the_closing_full_stop(chief, name):
    run(DATA / name)
    paper = Paper.objects.get(pmid="20167253")
    assert paper.doi == "10.1016/j.neuroscience.2010.02.022"
    assert paper.title.endswith("An anatomical and behavioral study")
    assert (paper.journal, paper.year, paper.volume, paper.pages) == ("Neuroscience", 2010, "167", "247-55")
    assert Paper.objects.get(pmid="34955848").authors == [
        "Gaja-Capdevila N", "Hernandez N", "Navarro X", "Herrando-Grabulosa M"]


def test_pubmed_xml_says_when_the_author_list_is_partial(chief):
    run(DATA / "sigma1r_pubmed.xml")
    paper = Paper.objects.get(pmid="25678561")
    assert paper.authors == ["Bernard-Marissal N"] and not paper.authors_complete
    assert Paper.objects.get(pmid="34955848").authors_complete


def test_pubmed_xml_is_read_without_the_network(chief, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the import opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert "created 3" in run(DATA / "sigma1r_pubmed.xml")


def test_pubmed_xml_naming_a_dtd_biopython_lacks_is_refused_rather_than_fetched(chief, tmp_path,
                                                                                  monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("network used"))
    newer = tmp_path / "newer.xml"
    newer.write_bytes((DATA / "sigma1r_pubmed.xml").read_bytes().replace(b"pubmed_250101",
                                                                         b"pubmed_990101"))
    message = refused(newer)
    assert "pubmed_990101.dtd" in message and "network" in message
    assert Paper.objects.count() == 0


def test_pubmed_xml_declaring_entities_is_refused(chief, tmp_path):
    hostile = tmp_path / "entities.xml"
    hostile.write_bytes((DATA / "sigma1r_pubmed.xml").read_bytes().replace(
        b'pubmed_250101.dtd">', b'pubmed_250101.dtd" [<!ENTITY x SYSTEM "/etc/passwd">]>').replace(
        b"<Title>Brain</Title>", b"<Title>Brain &x;</Title>"))
    assert "declares entities" in refused(hostile)
    assert Paper.objects.count() == 0


def test_a_seed_paper_is_matched_by_doi_in_another_spelling_and_by_pmid(seeded):
    before = snapshot()
    output = run(DATA / "seed_spellings.ris")  # DOI upper case behind https://doi.org/; PMID alone
    assert "created 0, updated 0 (blank fields filled), unchanged 2" in output
    assert snapshot() == before


def test_a_stored_paper_only_has_its_blank_fields_filled(seeded, chief):
    before = {p["doi"]: p for p in Paper.objects.values()}
    output = run(DATA / "sigma1r.ris")
    assert "created 0, updated 1 (blank fields filled), unchanged 4" in output
    after = {p["doi"]: p for p in Paper.objects.values()}
    al_saif = after.pop("10.1002/ana.22534")
    assert {**before.pop("10.1002/ana.22534"), "url": "https://doi.org/10.1002/ana.22534"} == {
        **al_saif, "updated_at": ANY}
    assert after == before  # nothing blank in the other four that the file gives
    change = Paper.objects.get(pk=al_saif["id"]).history.first()
    assert (change.history_user, change.history_change_reason) == (chief, "import_papers sigma1r.ris")


def test_a_paper_entered_by_hand_is_completed_not_renamed(chief):
    luty = Paper.objects.create(doi="10.1002/ana.22274", title="Luty 2010, SIGMAR1 in FTLD-MND")
    output = run(DATA / "sigma1r.bib")
    assert "created 4, updated 1 (blank fields filled), unchanged 0" in output
    luty.refresh_from_db()
    assert luty.title == "Luty 2010, SIGMAR1 in FTLD-MND"
    assert (luty.journal, luty.year, luty.volume, luty.pages) == (
        "Annals of Neurology", 2010, "68", "639-649")
    assert luty.authors == ["Luty AA", "Kwok JBJ", "Dobson-Stone C"] and not luty.authors_complete


def test_records_without_identifiers_and_invalid_records_are_all_reported_and_nothing_written(seeded):
    before = snapshot()
    message = refused(DATA / "problems.ris")
    assert "2 problems, nothing written" in message
    assert "record 2 (Selective sigma receptor agonist" in message
    assert "doi, pmid: no DOI or PMID" in message
    assert "record 3 (no title), title: This field cannot be blank." in message
    assert snapshot() == before


def test_a_record_whose_doi_and_pmid_name_two_papers_is_refused(seeded):
    before = snapshot()
    message = refused(DATA / "conflicting_identifiers.ris")
    al_saif = Paper.objects.get(doi="10.1002/ana.22534")
    bernard = Paper.objects.get(pmid="25678561")
    assert "record 1 (A mutation in sigma-1 receptor" in message
    assert f"paper {al_saif.pk}'s" in message and f"paper {bernard.pk}'s" in message
    assert snapshot() == before


def test_the_same_paper_twice_in_a_file_is_refused_naming_both_records(chief):
    message = refused(DATA / "duplicates.bib")
    assert "record 3 (A mutation in sigma-1 receptor" in message
    assert "the same DOI 10.1002/ana.22534 as record 1" in message
    assert "1 problem, nothing written" in message
    assert Paper.objects.count() == 0


@pytest.mark.parametrize(("encoding", "expected"), [
    ("utf-16", "looks like UTF-16"), ("latin-1", "byte 0xe1 on line 17 is not UTF-8")])
def test_a_file_not_in_utf8_is_refused_saying_so(chief, tmp_path, encoding, expected):
    path = tmp_path / "sigma1r.ris"
    path.write_bytes((DATA / "sigma1r.ris").read_text(encoding="utf-8").encode(encoding))
    message = refused(path)
    assert expected in message and "save it as UTF-8" in message
    assert Paper.objects.count() == 0


@pytest.mark.parametrize("name", ["export.ris", "export.txt"])
@pytest.mark.parametrize("content", [b"", b"\n  \n"])
def test_an_empty_file_is_refused(chief, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    assert f"{name}: The file is empty." in refused(path)


def _damaged(tmp_path, name, old: bytes, new: bytes) -> Path:
    source = (DATA / name).read_bytes()
    assert old in source
    path = tmp_path / name
    path.write_bytes(source.replace(old, new, 1))
    return path


@pytest.mark.parametrize(("name", "old", "new", "expected"), [
    ("sigma1r.ris", b"ER  - \n", b"", "line 14: a record starts before the one from line 1 has ended"),
    ("sigma1r.bib", b"@article{luty2010,", b"@article{luty2010", "line 25: an entry that cannot be read"),
    ("sigma1r.nbib", b"PG  - 875-90", b"PG 875-90", "line 19: not a MEDLINE field"),
    ("sigma1r_pubmed.xml", b"</PubmedArticleSet>", b"", "Not well-formed XML"),
    ("sigma1r_pubmed.xml", b"<Title>Brain</Title>", b"<Titel>Brain</Titel>",
     "<Titel> is not an element of PubMed XML"),
])
def test_a_malformed_file_is_refused_saying_where(chief, tmp_path, name, old, new, expected):
    assert expected in refused(_damaged(tmp_path, name, old, new))
    assert Paper.objects.count() == 0


def test_dry_run_reports_what_would_change_and_writes_nothing(seeded):
    before = snapshot()
    output = run(DATA / "sigma1r.ris", "--dry-run")
    assert "Dry run, nothing written: would create 0, update 1 (blank fields filled), leave 4 " \
           "unchanged" in output
    assert snapshot() == before


def test_the_format_is_told_from_the_content_when_the_name_does_not_say(chief, tmp_path):
    export = tmp_path / "export.txt"
    export.write_bytes((DATA / "sigma1r.nbib").read_bytes())
    assert "3 medline records: created 3" in run(export)
    unknown = tmp_path / "notes.txt"
    unknown.write_text("Mancuso 2012, Neurotherapeutics\n")
    assert "give --format" in refused(unknown)


def test_the_changes_are_recorded_for_the_user_named_with_as(chief):
    curator = make_user("curator", "curator")
    run(DATA / "sigma1r.nbib", "--as", "curator")
    assert {p.history.get().history_user for p in Paper.objects.all()} == {curator}
    make_user("outsider")
    assert "may not add and change papers" in refused(DATA / "sigma1r.ris", "--as", "outsider")


def test_without_as_the_user_must_be_the_only_superuser(db):
    assert "no active superusers" in refused(DATA / "sigma1r.ris")
    make_user("chief", superuser=True)
    make_user("deputy", superuser=True)
    assert "several active superusers" in refused(DATA / "sigma1r.ris")
    assert Paper.objects.count() == 0


def test_a_record_whose_pmid_contradicts_the_paper_its_doi_matches_is_refused(seeded, tmp_path):
    # Mavlyutov 2010's DOI with the PMID of Mavlyutov 2015: a reference manager's mix-up.
    mixed = tmp_path / "mixed.ris"
    mixed.write_text("TY  - JOUR\nTI  - The sigma-1 receptor is enriched in postsynaptic sites\n"
                     "DO  - 10.1016/j.neuroscience.2010.02.022\nAN  - 25704013\nER  - \n")
    before = snapshot()
    paper = Paper.objects.get(pmid="20167253")
    assert f"pmid: 25704013 differs from paper {paper.pk}'s 20167253" in refused(mixed)
    assert snapshot() == before

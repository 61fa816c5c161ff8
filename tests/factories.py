"""Personas and small builders shared by the tests."""

import itertools

from django.contrib.auth.models import Group, User

from claims.choices import Direction, Role
from claims.models import Claim, Evidence, EvidenceType, Paper, Topic

_seq = itertools.count(1)


def make_user(username: str, *roles: str, superuser: bool = False, email: str = "") -> User:
    """A user in the given role groups (curator, reviewer); staff so the admin opens."""
    user = User.objects.create_user(username=username, password="pw",
                                    email=email or f"{username}@example.org",
                                    is_staff=bool(roles) or superuser, is_superuser=superuser)
    for role in roles:
        user.groups.add(Group.objects.get(name=Role(role)))
    return user


def make_topic(slug: str = "als", name: str = "Amyotrophic lateral sclerosis") -> Topic:
    return Topic.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def make_evidence_type(code: str = "in-vivo-animal-model", label: str = "In vivo animal model",
                       eco_id: str = "ECO:0000179") -> EvidenceType:
    return EvidenceType.objects.get_or_create(code=code, defaults={"label": label,
                                                                   "eco_id": eco_id})[0]


def make_paper(**fields) -> Paper:
    n = next(_seq)
    fields.setdefault("title", f"Paper {n}")
    fields.setdefault("doi", f"10.1000/test.{n}")
    fields.setdefault("year", 2012)
    return Paper.objects.create(**fields)


def make_claim(created_by=None, **fields) -> Claim:
    n = next(_seq)
    fields.setdefault("text", f"Sigma-1R agonist {n} increases survival of SOD1 mice")
    fields.setdefault("subject", "Sigma-1R agonist PRE-084")
    fields.setdefault("relation", "increases")
    fields.setdefault("object", "survival")
    fields.setdefault("context", "SOD1-G93A mouse")
    return Claim.objects.create(created_by=created_by, updated_by=created_by, **fields)


def make_evidence(claim, paper=None, evidence_type=None, created_by=None, **fields) -> Evidence:
    fields.setdefault("direction", Direction.SUPPORTS)
    fields.setdefault("location", f"Fig. {next(_seq)}")
    return Evidence.objects.create(
        claim=claim, paper=paper or make_paper(), evidence_type=evidence_type or make_evidence_type(),
        created_by=created_by or claim.created_by, updated_by=created_by or claim.created_by,
        **fields)


def admin_form_data(response) -> dict:
    """The POST body an admin add/change page would send back unchanged.

    Built from the rendered page's form and inline formsets (management forms included), so
    a test sets only the fields it means to change.
    """
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data

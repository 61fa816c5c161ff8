"""Named API tokens: made by manage.py or the admin (key shown once), read-only if asked,
listed, revoked; a revoked or unknown key is a 401."""

import io

import pytest
from django.core.management import call_command

from claims.models import ApiToken, Claim
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def issue(username, *flags):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", username, *flags, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_a_token_from_the_command_signs_in_and_only_its_digest_is_stored(client, personas):
    draft = make_claim(created_by=personas.curator)
    key = issue("curator", "--name", "nightly mirror")

    response = client.get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key}")

    assert [c["uid"] for c in response.json()["results"]] == [str(draft.uid)]
    token = ApiToken.objects.get()
    assert key not in {token.key_digest, token.prefix} and key.startswith(token.prefix)
    assert token.last_used_at is not None


def test_a_read_only_token_reads_and_changes_nothing(client, personas):
    claim = make_claim(created_by=personas.curator)
    key = issue("curator", "--read-only")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    assert client.get(f"{CLAIMS}{claim.pk}/", **auth).status_code == 200
    patched = client.patch(f"{CLAIMS}{claim.pk}/", {"context": "changed"},
                           content_type="application/json", **auth)
    submitted = client.post(f"{CLAIMS}{claim.pk}/submit/", **auth)

    assert patched.status_code == submitted.status_code == 403
    assert "read-only" in patched.json()["detail"]
    claim.refresh_from_db()
    assert (claim.context, claim.status) == ("SOD1-G93A mouse", "draft")


def test_revoked_tokens_are_refused_and_listed_as_revoked(client, personas):
    key = issue("curator")
    prefix = ApiToken.objects.get().prefix
    call_command("revoke_api_token", prefix, stdout=io.StringIO())

    assert client.get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    listing = io.StringIO()
    call_command("list_api_tokens", stdout=listing)
    assert prefix in listing.getvalue() and "revoked" in listing.getvalue()
    assert key not in listing.getvalue()


def test_an_unknown_user_or_an_inactive_one_gets_no_token(personas):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No user"):
        issue("nobody")
    personas.outsider.is_active = False
    personas.outsider.save()
    with pytest.raises(CommandError, match="inactive"):
        issue("outsider")
    assert not ApiToken.objects.exists()


def test_the_admin_makes_a_token_shows_its_key_once_and_revokes_it(client, personas):
    client.force_login(personas.staff)
    response = client.post("/admin/claims/apitoken/add/",
                           {"user": personas.curator.pk, "name": "notebook", "read_only": "on"},
                           follow=True)
    shown = [str(m) for m in response.context["messages"]]
    token = ApiToken.objects.get()
    key = next(word for m in shown for word in m.split() if word.startswith(token.prefix))
    assert token.read_only and token.user == personas.curator

    assert client.get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    client.post("/admin/claims/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    client.logout()
    assert client.get(CLAIMS, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert Claim.objects.count() == 0

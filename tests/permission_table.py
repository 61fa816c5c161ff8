"""Who may do what through the API: every endpoint and action, every method, every role, and
the status each gets. Written out by hand from the rules (claims/roles.py, the curator and
reviewer groups of claims/migrations/0002_roles.py, claims/workflow.py, the views' permission
classes); tests/test_permission_table.py asks every cell and docs/permissions.md says it in words.

Roles (columns):
  anon   no credentials
  none   signed in, no role (not staff)
  cur    a curator: the author of every claim and evidence item named below
  rev    a reviewer (never the author; the set-up reviews are another reviewer's)
  both   a curator and reviewer who is not the author
  staff  a superuser
  r/o    a read-only API token (claims/models/tokens.py) of the superuser
  off    the token of a deactivated user (is_active=False)

Objects named in paths (built by the test): {draft}, {submitted}, {rejected}, {accepted} claims;
{flagged}, an accepted claim flagged for re-review; {draft_evidence} on the draft claim;
{accepted_evidence} on the accepted claim; {new_evidence}, {submitted_evidence} and
{rejected_evidence}, reviewed on their own on an accepted claim; {public_review} of the
accepted claim and {hidden_review} of the rejected one; a {paper}, {topic} and {evidence_type}
nothing refers to; the curator's webhook {subscription}; data {release} v1 and version {number} 1.
A "#name" after a path marks another body for the same URL (the verdict of a review).

Every request authenticates first: the deactivated user's token is a 401 everywhere, and a
read-only token is a 403 on every method but GET. DRF then checks permissions before it looks
for a handler, so a method the URL does not route answers 401/403 to whoever lacks the model
permission it would need and 405 to whoever holds it.
"""

ROLES = ("anonymous", "no_role", "curator", "reviewer", "both", "staff", "read_only", "inactive")
SAFE = ("GET", "HEAD", "OPTIONS")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Placeholders for objects some roles may not see, with those roles: they must be answered
# exactly as a missing id is.
HIDDEN = {
    "draft": ("anonymous", "no_role"),
    "submitted": ("anonymous", "no_role"),
    "rejected": ("anonymous", "no_role"),
    "draft_evidence": ("anonymous", "no_role"),
    "new_evidence": ("anonymous", "no_role"),
    "submitted_evidence": ("anonymous", "no_role"),
    "rejected_evidence": ("anonymous", "no_role"),
    "hidden_review": ("anonymous", "no_role"),
    "subscription": ("no_role", "reviewer", "both", "staff", "read_only"),
}

_TABLE = """
path                                      method  anon none cur  rev  both staff r/o  off

# --- the API root, the schema and its documentation: anyone reads them, nobody writes ---
/                                         GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/schema/                                  GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/docs/                                    GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401

# --- signing in: anyone may trade a user's password for that user's token ---
/auth/token/                              GET     405  405  405  405  405  405  405  401
                                          POST    200  200  200  200  200  200  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401

# --- claims: anyone reads accepted ones; curators write; drafts are hidden from readers ---
/claims/                                  GET     200  200  200  200  200  200  200  401
                                          POST    401  403  201  403  201  201  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/claims/?format=csv                       GET     200  200  200  200  200  200  200  401
/claims/?format=jsonld                    GET     200  200  200  200  200  200  200  401
/claims/similar/?text=PRE-084             GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/claims/{draft}/                          GET     404  404  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  200  403  200  200  403  401
                                          PATCH   401  403  200  403  200  200  403  401
                                          DELETE  401  403  204  403  204  204  403  401
/claims/{accepted}/                       GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  400  403  400  400  403  401
                                          PATCH   401  403  400  403  400  400  403  401
                                          DELETE  401  403  409  403  409  409  403  401
/claims/{accepted}/?format=jsonld         GET     200  200  200  200  200  200  200  401
/claims/{draft}/?format=jsonld            GET     404  404  200  200  200  200  200  401
/claims/{draft}/history/                  GET     404  404  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/claims/{accepted}/history/               GET     200  200  200  200  200  200  200  401
/claims/{accepted}/versions/              GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/claims/{accepted}/versions/{number}/     GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401

# --- claim transitions: POST only; the workflow decides by role (403) ---
/claims/{draft}/submit/                   GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/claims/{submitted}/withdraw/             GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/claims/{rejected}/reopen/                GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/claims/{submitted}/reviews/              GET     401  405  405  405  405  405  405  401
                                          POST    401  404  403  200  200  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/claims/{submitted}/reviews/#reject       POST    401  404  403  200  200  200  403  401
/claims/{submitted}/reviews/#request_changes
                                          POST    401  404  403  200  200  200  403  401
/claims/{accepted}/retract/               GET     401  405  405  405  405  405  405  401
                                          POST    401  403  403  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/claims/{flagged}/confirm/                GET     401  405  405  405  405  405  405  401
                                          POST    401  403  403  200  200  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401

# --- evidence: as claims; evidence on an accepted claim is reviewed on its own ---
/evidence/                                GET     200  200  200  200  200  200  200  401
                                          POST    401  403  201  403  201  201  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/evidence/{draft_evidence}/               GET     404  404  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  200  403  200  200  403  401
                                          PATCH   401  403  200  403  200  200  403  401
                                          DELETE  401  403  204  403  204  204  403  401
/evidence/{accepted_evidence}/            GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  400  403  400  400  403  401
                                          PATCH   401  403  400  403  400  400  403  401
                                          DELETE  401  403  409  403  409  409  403  401
/evidence/{draft_evidence}/history/       GET     404  404  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/evidence/{new_evidence}/submit/          GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/evidence/{submitted_evidence}/withdraw/  GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/evidence/{rejected_evidence}/reopen/     GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  403  403  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/evidence/{submitted_evidence}/reviews/   GET     401  405  405  405  405  405  405  401
                                          POST    401  404  403  200  200  200  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401

# --- reviews: append-only; reviewers create them through the workflow ---
/reviews/                                 GET     200  200  200  200  200  200  200  401
                                          POST    401  400  403  201  201  201  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/reviews/{public_review}/                 GET     200  200  200  200  200  200  200  401
                                          POST    401  405  405  405  405  405  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/reviews/{hidden_review}/                 GET     404  404  200  200  200  200  200  401
                                          POST    401  405  405  405  405  405  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401

# --- papers: curators write; anyone reads ---
/papers/                                  GET     200  200  200  200  200  200  200  401
                                          POST    401  403  201  403  201  201  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  405  403  405  405  403  401
/papers/?format=csv                       GET     200  200  200  200  200  200  200  401
/papers/{paper}/                          GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  200  403  200  200  403  401
                                          PATCH   401  403  200  403  200  200  403  401
                                          DELETE  401  403  204  403  204  204  403  401

# --- topics: curators add and change, only staff delete ---
/topics/                                  GET     200  200  200  200  200  200  200  401
                                          POST    401  403  201  403  201  201  403  401
                                          PUT     401  403  405  403  405  405  403  401
                                          PATCH   401  403  405  403  405  405  403  401
                                          DELETE  401  403  403  403  403  405  403  401
/topics/{topic}/                          GET     200  200  200  200  200  200  200  401
                                          POST    401  403  405  403  405  405  403  401
                                          PUT     401  403  200  403  200  200  403  401
                                          PATCH   401  403  200  403  200  200  403  401
                                          DELETE  401  403  403  403  403  204  403  401

# --- evidence types: the vocabulary, written by staff only ---
/evidence-types/                          GET     200  200  200  200  200  200  200  401
                                          POST    401  403  403  403  403  201  403  401
                                          PUT     401  403  403  403  403  405  403  401
                                          PATCH   401  403  403  403  403  405  403  401
                                          DELETE  401  403  403  403  403  405  403  401
/evidence-types/{evidence_type}/          GET     200  200  200  200  200  200  200  401
                                          POST    401  403  403  403  403  405  403  401
                                          PUT     401  403  403  403  403  200  403  401
                                          PATCH   401  403  403  403  403  200  403  401
                                          DELETE  401  403  403  403  403  204  403  401

# --- the change feed, exports and linked data: anyone reads, nobody writes ---
/changes/                                 GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/exports/                                 GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/exports/accepted.jsonl                   GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/context.jsonld                           GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/vocab                                    GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401

# --- data releases: published files, read by anyone ---
/releases/                                GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/releases/{release}/                      GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401
/releases/{release}/download/             GET     200  200  200  200  200  200  200  401
                                          POST    405  405  405  405  405  405  403  401
                                          PUT     405  405  405  405  405  405  403  401
                                          PATCH   405  405  405  405  405  405  403  401
                                          DELETE  405  405  405  405  405  405  403  401

# --- webhooks: any signed-in user subscribes; each sees and changes only their own ---
/webhooks/                                GET     401  200  200  200  200  200  200  401
                                          POST    401  201  201  201  201  201  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/webhooks/{subscription}/                 GET     401  404  200  404  404  404  404  401
                                          POST    401  405  405  405  405  405  403  401
                                          PUT     401  404  200  404  404  404  403  401
                                          PATCH   401  404  200  404  404  404  403  401
                                          DELETE  401  404  204  404  404  404  403  401
/webhooks/{subscription}/resume/          GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  404  404  404  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
/webhooks/{subscription}/rotate-secret/   GET     401  405  405  405  405  405  405  401
                                          POST    401  404  200  404  404  404  403  401
                                          PUT     401  405  405  405  405  405  403  401
                                          PATCH   401  405  405  405  405  405  403  401
                                          DELETE  401  405  405  405  405  405  403  401
"""


def _parse(text: str) -> list[tuple[str, str, tuple[int, ...]]]:
    rows, path = [], None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#") or words[0] == "path":
            continue
        if words[0] not in METHODS:
            path, words = words[0], words[1:]
            if not words:  # a long path stands on a line of its own
                continue
        method, statuses = words[0], tuple(int(w) for w in words[1:])
        if method not in METHODS or len(statuses) != len(ROLES) or path is None:
            raise ValueError(f"Malformed row of the permission table: {line!r}")
        rows.append((path, method, statuses))
    return rows


API = _parse(_TABLE)

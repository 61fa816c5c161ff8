"""Who may do what in the admin: every page of every registered model and every changelist
action, as each role, with what each gets. Written out by hand from the rules (the curator and
reviewer groups of claims/migrations/0002_roles.py, claims/roles.py, claims/workflow.py, the
model admins in claims/admin/); tests/test_admin_permission_table.py asks every cell and
docs/permissions.md says it in words.

Roles (columns): anon (not signed in), none (signed in, no role, not staff), cur (a curator,
the author of every claim and evidence item named), rev (a reviewer), both (curator and
reviewer, not the author), staff (a superuser). A curator or reviewer is made staff
(is_staff) so that the admin opens; what they may do there is their group's permissions.

Cells:
  login    redirected to the admin's sign-in page (anon and none everywhere)
  200      the page (or a form with its errors, or an action's form) is shown
  302      done: saved, deleted, or sent on (a redirect that is not to the sign-in page)
  403      refused by Django's model permissions, or by a model admin that keeps records
           read-only (reviews, versions, history) or work the workflow keeps (accepted claims)
  404      no such page for this user (an app of which they may see nothing)
  done     a changelist action that ran: a success message, and the object changed
  refused  a changelist action the workflow refused: an error message and nothing changed

Pages are under /admin (a page "/" is its index). The placeholders are
tests/permission_world.py's objects, and {claim_history}, {evidence_history}, {paper_history}
the first recorded versions of the draft claim, its evidence and the paper; {token} an API
token, {paused} a paused webhook subscription, {user} the user without a role, {group} the
curator group, {drf_token} that user's DRF token. "#name" after a changelist names the action
run on the object after it (e.g. "/claims/claim/#submit {draft}"). A request whose cell is
neither "302" nor "done" must leave every table as it was.
"""

ROLES = ("anonymous", "no_role", "curator", "reviewer", "both", "staff")
# Placeholders for records some staff roles may not see, with those roles: they must be
# answered exactly as a missing id is (curators and reviewers see every claims record).
STAFF_ROLES = ("curator", "reviewer", "both")
HIDDEN = {name: STAFF_ROLES for name in ("token", "paused", "subscription", "user", "group", "drf_token")}
CELLS = ("login", "200", "302", "403", "404", "done", "refused")
METHODS = ("GET", "POST")

_TABLE = """
page                                            method  anon     none     cur      rev      both     staff

# --- the site ---
/                                               GET     login    login    200      200      200      200
/claims/                                        GET     login    login    200      200      200      200
/auth/                                          GET     login    login    404      404      404      200
/autocomplete/?app_label=claims&model_name=evidence&field_name=paper
                                                GET     login    login    200      200      200      200

# --- claims: curators write drafts; reviewers read and review; the workflow decides ---
/claims/claim/                                  GET     login    login    200      200      200      200
/claims/claim/#submit {draft}                   POST    login    login    done     refused  refused  done
/claims/claim/#withdraw {submitted}             POST    login    login    done     refused  refused  done
/claims/claim/#reopen {rejected}                POST    login    login    done     refused  refused  done
/claims/claim/#approve {submitted}              POST    login    login    refused  done     done     done
/claims/claim/#reject {submitted}               POST    login    login    refused  done     done     done
/claims/claim/#request_changes {submitted}      POST    login    login    refused  done     done     done
/claims/claim/#retract {accepted}               POST    login    login    refused  refused  refused  done
/claims/claim/#confirm {flagged}                POST    login    login    refused  done     done     done
/claims/claim/#take {submitted}                 POST    login    login    refused  done     done     done
/claims/claim/#assign {submitted}               POST    login    login    refused  done     refused  done
/claims/claim/#delete_selected {draft}          POST    login    login    done     refused  done     done
/claims/claim/add/                              GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/claim/{draft}/change/                   GET     login    login    200      200      200      200
                                                POST    login    login    302      403      302      302
/claims/claim/{accepted}/change/                GET     login    login    200      200      200      200
/claims/claim/{draft}/delete/                   GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/claim/{accepted}/delete/                GET     login    login    403      403      403      403
                                                POST    login    login    403      403      403      403
/claims/claim/{draft}/history/                  GET     login    login    200      200      200      200
/claims/claim/{draft}/history/{claim_history}/  GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      403
/claims/claim/import/                           GET     login    login    200      403      200      200
                                                POST    login    login    200      403      200      200
/claims/claim/process_import/                   POST    login    login    200      403      200      200

# --- evidence: as claims; evidence on an accepted claim is reviewed on its own ---
/claims/evidence/                               GET     login    login    200      200      200      200
/claims/evidence/#submit {new_evidence}         POST    login    login    done     refused  refused  done
/claims/evidence/#withdraw {submitted_evidence}
                                                POST    login    login    done     refused  refused  done
/claims/evidence/#reopen {rejected_evidence}    POST    login    login    done     refused  refused  done
/claims/evidence/#approve {submitted_evidence}  POST    login    login    refused  done     done     done
/claims/evidence/#reject {submitted_evidence}   POST    login    login    refused  done     done     done
/claims/evidence/#request_changes {submitted_evidence}
                                                POST    login    login    refused  done     done     done
/claims/evidence/#delete_selected {draft_evidence}
                                                POST    login    login    done     refused  done     done
/claims/evidence/add/                           GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/evidence/{draft_evidence}/change/       GET     login    login    200      200      200      200
                                                POST    login    login    302      403      302      302
/claims/evidence/{draft_evidence}/delete/       GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/evidence/{accepted_evidence}/delete/    GET     login    login    403      403      403      403
/claims/evidence/{draft_evidence}/history/      GET     login    login    200      200      200      200
/claims/evidence/{draft_evidence}/history/{evidence_history}/
                                                GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      403

# --- papers: curators add, change and delete ---
/claims/paper/                                  GET     login    login    200      200      200      200
/claims/paper/add/                              GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/paper/{paper}/change/                   GET     login    login    200      200      200      200
                                                POST    login    login    302      403      302      302
/claims/paper/{paper}/delete/                   GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/paper/{paper}/history/                  GET     login    login    200      200      200      200
/claims/paper/{paper}/history/{paper_history}/  GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      403
/claims/paper/import/                           GET     login    login    200      403      200      200
                                                POST    login    login    200      403      200      200
/claims/paper/process_import/                   POST    login    login    200      403      200      200

# --- topics: curators add and change; only staff delete ---
/claims/topic/                                  GET     login    login    200      200      200      200
/claims/topic/add/                              GET     login    login    200      403      200      200
                                                POST    login    login    302      403      302      302
/claims/topic/{topic}/change/                   GET     login    login    200      200      200      200
                                                POST    login    login    302      403      302      302
/claims/topic/{topic}/delete/                   GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/topic/{topic}/history/                  GET     login    login    200      200      200      200

# --- evidence types: read by every role, written by staff ---
/claims/evidencetype/                           GET     login    login    200      200      200      200
/claims/evidencetype/add/                       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/evidencetype/{evidence_type}/change/    GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      302
/claims/evidencetype/{evidence_type}/delete/    GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/evidencetype/{evidence_type}/history/   GET     login    login    200      200      200      200

# --- reviews and accepted versions: append-only records, read by every role ---
/claims/curatorreview/                          GET     login    login    200      200      200      200
/claims/curatorreview/add/                      GET     login    login    403      403      403      403
                                                POST    login    login    403      403      403      403
/claims/curatorreview/{public_review}/change/   GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      403
/claims/curatorreview/{public_review}/delete/   GET     login    login    403      403      403      403
                                                POST    login    login    403      403      403      403
/claims/curatorreview/{public_review}/history/  GET     login    login    200      200      200      200
/claims/claimversion/                           GET     login    login    200      200      200      200
/claims/claimversion/add/                       GET     login    login    403      403      403      403
                                                POST    login    login    403      403      403      403
/claims/claimversion/{version}/change/          GET     login    login    200      200      200      200
                                                POST    login    login    403      403      403      403
/claims/claimversion/{version}/delete/          GET     login    login    403      403      403      403
                                                POST    login    login    403      403      403      403
/claims/claimversion/{version}/history/         GET     login    login    200      200      200      200

# --- API tokens and webhook subscriptions: staff only ---
/claims/apitoken/                               GET     login    login    403      403      403      200
/claims/apitoken/#revoke {token}                POST    login    login    403      403      403      done
/claims/apitoken/add/                           GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/apitoken/{token}/change/                GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      403
/claims/apitoken/{token}/delete/                GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/apitoken/{token}/history/               GET     login    login    403      403      403      200
/claims/subscription/                           GET     login    login    403      403      403      200
/claims/subscription/#pause_selected {subscription}
                                                POST    login    login    403      403      403      done
/claims/subscription/#resume_selected {paused}
                                                POST    login    login    403      403      403      done
/claims/subscription/#rotate_secret {subscription}
                                                POST    login    login    403      403      403      done
/claims/subscription/add/                       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/subscription/{subscription}/change/     GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/subscription/{subscription}/delete/     GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/claims/subscription/{subscription}/history/    GET     login    login    403      403      403      200

# --- users, groups, DRF's tokens and sign-in lockouts: staff only ---
/auth/user/                                     GET     login    login    403      403      403      200
/auth/user/add/                                 GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/auth/user/{user}/change/                       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/auth/user/{user}/password/                     GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/auth/user/{user}/delete/                       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/auth/user/{user}/history/                      GET     login    login    403      403      403      200
/auth/group/                                    GET     login    login    403      403      403      200
/auth/group/add/                                GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/auth/group/{group}/change/                     GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/auth/group/{group}/delete/                     GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/auth/group/{group}/history/                    GET     login    login    403      403      403      200
/authtoken/tokenproxy/                          GET     login    login    403      403      403      200
/authtoken/tokenproxy/add/                      GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/authtoken/tokenproxy/{drf_token}/change/       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      200
/authtoken/tokenproxy/{drf_token}/delete/       GET     login    login    403      403      403      200
                                                POST    login    login    403      403      403      302
/authtoken/tokenproxy/{drf_token}/history/      GET     login    login    403      403      403      200
/axes/accessattempt/                            GET     login    login    403      403      403      200
/axes/accesslog/                                GET     login    login    403      403      403      200
/axes/accessfailurelog/                         GET     login    login    403      403      403      200
"""


def _parse(text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    rows, page = [], None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#") or words[0] == "page":
            continue
        if words[0] not in METHODS:
            page, words = words[0], words[1:]
            if words and words[0].startswith("{"):  # an action and the object it is run on
                page, words = f"{page} {words[0]}", words[1:]
            if not words:  # a long page stands on a line of its own
                continue
        method, cells = words[0], tuple(words[1:])
        if page is None or len(cells) != len(ROLES) or any(c not in CELLS for c in cells):
            raise ValueError(f"Malformed row of the admin permission table: {line!r}")
        rows.append((page, method, cells))
    return rows


ADMIN = _parse(_TABLE)

"""The admin site: one module per concern, registered on import.

base      shared pieces: history without revert, read-only admins and inlines, editor stamps
queues    list filters: the review queue, my drafts
actions   admin actions that call claims.workflow (and the comment form some of them ask for)
assignment  assigning claims to reviewers: its actions, filters and the queue's order
dashboard   the index page's dashboard, and the claim page's decision buttons
list_filters  list filters that follow the evidence: its direction, its type with the ECO tree
badges    coloured labels: directions, review states, synthesis levels
charts    inline SVG charts drawn on the server (the claim page's evidence by type)
claim_page  the claim page's evidence at a glance: chart, synthesis and rule, cited papers
widgets   autocompletes that show their choice without a query per row
next_steps  what the messages after an action or a save say comes next
papers    Paper, Topic, EvidenceType
claims    Claim and Evidence, with their evidence, review and version inlines
reviews   CuratorReview and ClaimVersion: append-only, read-only
webhooks  webhook subscriptions: their state, pause and resume
tokens    API tokens: made (key shown once), listed, revoked
accounts  users, groups, DRF's tokens: their apps' admins, asking for the permission first
"""

from django.contrib import admin

from claims.admin import accounts, claims, papers, reviews, tokens, webhooks  # noqa: F401  (registers the model admins)

admin.site.site_header = "Claims and evidence curation"
admin.site.site_title = "Claims and evidence curation"
admin.site.index_title = "Curation"
# The index shows the signed-in user's dashboard above the applications (claims/admin/dashboard.py).
admin.site.index_template = "admin/claims/dashboard.html"

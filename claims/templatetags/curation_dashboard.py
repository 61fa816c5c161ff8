"""Template tags of the admin's dashboard and claim page; the data comes from
claims/admin/dashboard.py."""

from django import template

from claims.admin import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def curation_dashboard(context):
    """{% curation_dashboard as board %}: the signed-in user's dashboard, or None."""
    return dashboard.for_user(context["request"].user)


@register.simple_tag(takes_context=True)
def claim_decisions(context, claim):
    """{% claim_decisions original as decide %}: the actions the user may apply to the claim."""
    return dashboard.decisions(claim, context["request"].user)

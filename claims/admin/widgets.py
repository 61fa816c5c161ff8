"""Form widgets of the admin pages."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, RelatedFieldWidgetWrapper
from django.db import models

from claims.models.base import as_id


class KnownChoiceAutocomplete(AutocompleteSelect):
    """An autocomplete that renders its selected option from an object already loaded.

    Django's AutocompleteSelect reads the selected object again, one query per widget: a claim
    page with 50 evidence rows and two autocompletes each cost 100 queries. The inline's rows
    already hold their paper and evidence type (select_related), so KnownChoicesForm hands them
    over as `known`; a value not among them (a row changed before a validation error) is read
    as Django reads it.

    A value that can name no row (letters or a number past the id column, from a query string
    such as ?paper= or a crafted POST) selects nothing: Django's own lookup of it raises, a
    server error where the form should show its field's error.
    """

    known: dict = {}

    def optgroups(self, name, value, attr=None):
        if isinstance(self.field.target_field, models.IntegerField):
            value = [v for v in value if as_id(v) is not None]
        empty = self.choices.field.empty_values
        chosen = [str(v) for v in value if str(v) not in empty]
        if not all(v in self.known for v in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        label = self.choices.field.label_from_instance
        for v in chosen:
            options.append(self.create_option(name, v, label(self.known[v]), True, len(options)))
        return [(None, options, 0)]


def _autocomplete(field) -> KnownChoiceAutocomplete | None:
    widget = field.widget
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return widget if isinstance(widget, KnownChoiceAutocomplete) else None


class KnownChoicesForm(forms.ModelForm):
    """Gives each KnownChoiceAutocomplete the related object its instance already holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = _autocomplete(field)
            if widget is None:
                continue
            model_field = self._meta.model._meta.get_field(name)
            if model_field.is_cached(self.instance):
                related = model_field.get_cached_value(self.instance)
                # to_field of a ForeignKey: its value is what the select submits.
                key = getattr(self.instance, model_field.attname)
                widget.known = {} if related is None else {str(key): related}

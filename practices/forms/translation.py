"""The translation editor's form: one English field per translatable field of the live revision."""

from __future__ import annotations

from django import forms
from django.utils.text import capfirst

from ..models import TRANSLATABLE_FIELDS, PracticeRevision
from ..services.translations import TITLE_MAX_LENGTH


class TranslationForm(forms.Form):
    """Labels are the revision's own field names; each box is marked `lang="en"` for assistive technology.
    Fields whose Indonesian text is empty are left out (there is nothing to translate)."""

    def __init__(self, *args, revision: PracticeRevision, **kwargs):
        super().__init__(*args, **kwargs)
        for name in TRANSLATABLE_FIELDS:
            if name != "title" and not getattr(revision, name):
                continue
            model_field = PracticeRevision._meta.get_field(name)
            if name == "title":
                field = forms.CharField(max_length=TITLE_MAX_LENGTH, widget=forms.TextInput(attrs={"lang": "en"}))
            else:
                field = forms.CharField(required=False, widget=forms.Textarea(attrs={"lang": "en", "rows": 5}))
            field.label = capfirst(model_field.verbose_name)
            field.source_text = getattr(revision, name)
            self.fields[name] = field

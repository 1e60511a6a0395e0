"""Forms of the who-does-what map (and its export) and the mentoring page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from practices.models import Theme


class ThemeSelectForm(forms.Form):
    tema = forms.ModelChoiceField(
        label=_("Tema"), queryset=Theme.objects.all(), to_field_name="code", empty_label=None, required=False
    )

    def chosen_theme(self) -> Theme | None:
        """The theme asked for; the first theme when none (or an unknown code) is asked for. The map and its
        export choose alike."""
        theme = self.cleaned_data.get("tema") if self.is_valid() else None
        return theme or Theme.objects.first()


class MentoringThemesForm(forms.Form):
    tema = forms.ModelMultipleChoiceField(
        label=_("Tema yang ingin dipelajari"),
        queryset=Theme.objects.all(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

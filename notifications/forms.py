from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Follow
from .services.follows import follow_target_get


class MarkReadForm(forms.Form):
    notification = forms.IntegerField(required=False, min_value=1)


class FollowForm(forms.Form):
    """Follow a target (logged-in users): kind and id come from hidden fields of the follow button."""

    kind = forms.ChoiceField(choices=Follow.Kind.choices, widget=forms.HiddenInput)
    target = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(
        label=_("Kirim kabar"), choices=Follow.Frequency.choices, initial=Follow.Frequency.IMMEDIATE
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("target"):
            try:
                data["target_object"] = follow_target_get(kind=data["kind"], target_id=data["target"])
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages[0]) from exc
        return data


class FollowEmailForm(FollowForm):
    """Follow by email (the public): the follow becomes active once the link sent to the address is clicked."""

    email = forms.EmailField(label=_("Email Anda"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("Kirim kabar"),
        choices=[c for c in Follow.Frequency.choices if c[0] != Follow.Frequency.OFF],
        initial=Follow.Frequency.IMMEDIATE,
    )


class FollowUpdateForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Kirim kabar"), choices=Follow.Frequency.choices, required=False)
    delete = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("delete") and not data.get("frequency"):
            raise forms.ValidationError(_("Pilih frekuensi."))
        return data

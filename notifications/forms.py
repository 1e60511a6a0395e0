from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import GROUP_CHANNELS, Follow, NotificationSetting
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


class NotificationSettingsForm(forms.Form):
    """The settings page: one radio group per kind group, offering what that group allows (`GROUP_CHANNELS`).

    Mandatory kinds have no field, so a posted value for one is simply not read (the page shows them fixed).
    """

    help_texts = {
        NotificationSetting.Group.FOLLOWS: _(
            "Seberapa sering tiap langganan dikirim (segera, harian, mingguan) Anda atur di Langganan saya; "
            "“Hanya di portal” menghentikan email untuk semua langganan."
        ),
        NotificationSetting.Group.DIGESTS: _(
            "Ringkasan berisi notifikasi yang Anda pilih untuk ringkasan harian atau mingguan dan praktik baru "
            "dari langganan harian atau mingguan."
        ),
    }

    def __init__(self, *args, channels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(NotificationSetting.Channel.choices)
        for group, label in NotificationSetting.Group.choices:
            self.fields[group] = forms.ChoiceField(
                label=label,
                choices=[(channel, labels[channel]) for channel in GROUP_CHANNELS[group]],
                widget=forms.RadioSelect,
                initial=channels[group],
                help_text=self.help_texts.get(group, ""),
                error_messages={"required": _("Pilih cara menerima “%(group)s”.") % {"group": label}},
            )


class FollowerFollowForm(forms.Form):
    """An email-only follower changes (or stops) one follow on their page: `follow` names which of theirs."""

    follow = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    frequency = forms.ChoiceField(label=_("Kirim kabar"), choices=Follow.Frequency.choices, required=False)
    stop = forms.BooleanField(required=False)
    everything = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("everything"):
            return data
        if not data.get("follow"):
            raise forms.ValidationError(_("Langganan tidak ditemukan."))
        if not (data.get("stop") or data.get("frequency")):
            raise forms.ValidationError(_("Pilih frekuensi."))
        return data

"""Forms of the verification panel on the review page: record a verification, set the level a practice shows."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Attachment, Practice, Verification


class VerificationForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cara verifikasi"), choices=Verification.Method.choices, widget=forms.RadioSelect
    )
    source_name = forms.CharField(
        label=_("Sumber data pembanding"),
        help_text=_("Wajib untuk pemeriksaan data, mis. BPS, SIPD, atau dasbor layanan."),
        max_length=200,
        required=False,
    )
    verified_on = forms.DateField(
        label=_("Tanggal verifikasi"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label=_("Yang diperiksa dan hasilnya"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = forms.ModelMultipleChoiceField(
        label=_("Berkas bukti (lampiran praktik)"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, practice: Practice, **kwargs):
        kwargs.setdefault("initial", {"verified_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.auto_id = "id_verification_%s"
        self.fields["files"].queryset = Attachment.objects.filter(practice=practice).exclude(
            purpose=Attachment.Purpose.COVER
        )
        self.fields["files"].label_from_instance = lambda a: a.title or a.original_name

    def clean(self):
        data = super().clean()
        if data.get("method") == Verification.Method.DATA_CHECK and not (data.get("source_name") or "").strip():
            self.add_error("source_name", _("Pemeriksaan data harus menyebut sumber data pembandingnya."))
        return data


class EvidenceLevelForm(forms.Form):
    level = forms.ChoiceField(label=_("Tingkat bukti yang ditampilkan"), choices=Practice.EvidenceLevel.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "id_evidence_%s"

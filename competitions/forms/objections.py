"""Forms of the objection window and the results (COMP-B)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Entry, Objection
from ..services.objections import OBJECTION_MAX_FILES, DismissReason


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ObjectionForm(forms.Form):
    """The public's objection. `website` is the honeypot: hidden from people and from assistive technology,
    labelled for the humans who still reach it; a bot filling every field fills it."""

    name = forms.CharField(label=_("Nama"), max_length=120)
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("Kami mengirim tautan konfirmasi ke alamat ini. Alamat Anda tidak pernah ditampilkan."),
    )
    relation = forms.ChoiceField(label=_("Hubungan Anda dengan inovasi ini"), choices=Objection.Relation.choices)
    ground = forms.ChoiceField(label=_("Alasan sanggahan"), choices=Objection.Ground.choices)
    text = forms.CharField(
        label=_("Uraian"),
        max_length=5000,
        min_length=20,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Jelaskan apa yang Anda ketahui dan bagaimana dapat diperiksa (paling sedikit 20 karakter)."),
    )
    attachments = MultipleFileField(
        label=_("Berkas pendukung (opsional)"),
        required=False,
        help_text=_("Paling banyak %(count)d berkas: PDF, JPEG, PNG, WebP, docx, xlsx, pptx, odt, ods.")
        % {"count": OBJECTION_MAX_FILES},
    )
    website = forms.CharField(
        label=_("Jangan diisi (kolom ini untuk menyaring robot)"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class ObjectionModerateForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=[("accept", _("Terima untuk ditindaklanjuti")), ("dismiss", _("Tolak"))],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Alasan penolakan"), choices=[("", _("— pilih —")), *DismissReason.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "dismiss" and not data.get("reason"):
            self.add_error("reason", _("Pilih alasan penolakan."))
        return data


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Tanggapan instansi"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}), min_length=10
    )


class ObjectionDecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Hasil pemeriksaan"),
        choices=[
            ("continues", _("Terbukti: peserta tetap melanjutkan")),
            ("disqualified", _("Terbukti: peserta didiskualifikasi")),
            ("not_upheld", _("Tidak terbukti")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Catatan"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResultsPublishForm(forms.Form):
    """One rank and label per finalist (empty rank: not a winner), and the decree."""

    decree_number = forms.CharField(label=_("Nomor surat keputusan"), max_length=120)
    decree_date = forms.DateField(label=_("Tanggal surat keputusan"), widget=forms.DateInput(attrs={"type": "date"}))
    decree_file = forms.FileField(label=_("Berkas surat keputusan (PDF)"))

    def __init__(self, *args, finalists: list[Entry], **kwargs):
        super().__init__(*args, **kwargs)
        self.finalists = finalists
        for entry in finalists:
            self.fields[f"rank_{entry.pk}"] = forms.IntegerField(
                label=_("Peringkat: %(practice)s") % {"practice": entry.practice.title},
                required=False,
                min_value=1,
                max_value=999,
            )
            self.fields[f"label_{entry.pk}"] = forms.CharField(
                label=_("Penghargaan: %(practice)s") % {"practice": entry.practice.title},
                required=False,
                max_length=80,
                help_text=_("Mis. “Juara 1” atau “Top 45”."),
            )

    def rows(self):
        return [(entry, self[f"rank_{entry.pk}"], self[f"label_{entry.pk}"]) for entry in self.finalists]

    def clean(self):
        data = super().clean()
        winners = []
        for entry in self.finalists:
            rank, label = data.get(f"rank_{entry.pk}"), (data.get(f"label_{entry.pk}") or "").strip()
            if rank and not label:
                self.add_error(f"label_{entry.pk}", _("Isi label penghargaan untuk pemenang ini."))
            elif label and not rank:
                self.add_error(f"rank_{entry.pk}", _("Isi peringkat untuk pemenang ini."))
            elif rank:
                winners.append((entry.pk, rank, label))
        if not winners and not self.errors:
            raise forms.ValidationError(_("Pilih sedikitnya satu pemenang: isi peringkat dan labelnya."))
        data["winners"] = winners
        return data

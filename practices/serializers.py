"""API v1 serializers of practices. Their field names are also the column names of the CSV/XLSX exports, and
their help texts (with `FIELD_UNITS`) are the data dictionary page, so the three cannot drift apart.

Write serializers reject unknown keys and text that PostgreSQL cannot store, so a client's mistake is a 400
naming the field, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.models import Region
from common.text import no_control_characters

from .models import (
    TRANSLATABLE_FIELDS,
    Attachment,
    Indicator,
    IndicatorValue,
    Practice,
    PracticeRevision,
    PracticeTranslation,
    Theme,
    Verification,
)
from .sections import INDICATOR_FIELDS, SECTION_FIELDS, VALUE_FIELDS
from .workflow import DECISIONS

# Narrative fields have no length in the database; the API caps them so one request cannot store megabytes.
TEXT_MAX_LENGTH = 20_000

# Units of the fields that have one (shown on the data dictionary page next to the help text).
FIELD_UNITS = {
    "cost": _("rupiah"),
    "staff_count": _("orang"),
    "start_year": _("tahun (M)"),
    "baseline_year": _("tahun (M)"),
    "target_year": _("tahun (M)"),
    "baseline_value": _("satuan indikator (kolom unit)"),
    "target_value": _("satuan indikator (kolom unit)"),
    "value": _("satuan indikator (kolom unit)"),
    "latest_value": _("satuan indikator (kolom unit)"),
    "size": _("byte"),
    "replication_count": _("instansi"),
    "provinces_reached": _("provinsi"),
    "practice_count": _("praktik"),
    "published_at": _("tanggal dan waktu ISO 8601 (UTC)"),
    "updated_at": _("tanggal dan waktu ISO 8601 (UTC)"),
    "last_confirmed_at": _("tanggal dan waktu ISO 8601 (UTC)"),
    "stopped_at": _("tanggal dan waktu ISO 8601 (UTC)"),
    "verified_on": _("tanggal ISO 8601"),
    "created_at": _("tanggal dan waktu ISO 8601 (UTC)"),
    "date": _("tanggal ISO 8601"),
    "latest_date": _("tanggal ISO 8601"),
}


def stable_reverse(name: str, *args) -> str:
    """Indonesian (unprefixed) URLs in API bodies, whatever language the client asked for."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# Input hygiene ------------------------------------------------------------------------------------------------


def _bad_text(value) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_bad_text(v) for v in value)
    return False


class StrictInputMixin:
    """Unknown keys and unstorable text (lone surrogates, NUL) are field errors, before any other check."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {key: [_("Kolom tidak dikenal.")] for key in data if key not in writable}
            errors.update(
                {
                    key: [_("Teks berisi karakter yang tidak dapat disimpan (NUL atau UTF-8 tidak sah).")]
                    for key in data
                    if key in writable and _bad_text(data.get(key) if hasattr(data, "getlist") else data[key])
                }
            )
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "nullable": True})
class CodeField(serializers.SlugRelatedField):
    """A related object shown by its code (read only)."""

    def __init__(self, **kwargs):
        kwargs.pop("many", None)
        super().__init__(slug_field="code", read_only=True, **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CodeListField(serializers.ManyRelatedField):
    """Related objects shown by their codes (read only)."""

    def __init__(self, **kwargs):
        child = serializers.SlugRelatedField(slug_field="code", read_only=True)
        super().__init__(child_relation=child, read_only=True, **kwargs)


# Reads ---------------------------------------------------------------------------------------------------------


class PracticeListSerializer(serializers.Serializer):
    """One published practice as a list row (also a row of the CSV/XLSX export)."""

    id = serializers.IntegerField(read_only=True, help_text=_("Nomor tetap praktik di portal."))
    slug = serializers.CharField(read_only=True, help_text=_("Bagian alamat halaman praktik."))
    title = serializers.CharField(read_only=True, help_text=_("Judul praktik (revisi yang terbit)."))
    summary = serializers.CharField(read_only=True, help_text=_("Ringkasan, paling banyak 3 kalimat."))
    agency_code = serializers.CharField(
        source="agency.code", read_only=True, help_text=_("Kode instansi pemilik (kode wilayah Kemendagri).")
    )
    agency_name = serializers.CharField(source="agency.name", read_only=True, help_text=_("Nama instansi pemilik."))
    agency_kind = serializers.CharField(
        source="agency.kind", read_only=True, help_text=_("Jenis instansi: kementerian, lembaga, provinsi, dst.")
    )
    province_code = serializers.SerializerMethodField(help_text=_("Kode provinsi instansi (kosong untuk pusat)."))
    primary_theme = CodeField(help_text=_("Kode tema utama (lihat /api/v1/themes/)."))
    themes = CodeListField(help_text=_("Kode semua tema praktik, termasuk tema utama."))
    start_year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Tahun praktik dimulai."))
    stage = serializers.CharField(read_only=True, help_text=_("Tahap: inisiatif, uji_coba (uji coba), atau penerapan."))
    is_digital = serializers.BooleanField(read_only=True, help_text=_("Praktik berbasis digital."))
    evidence_level = serializers.CharField(
        read_only=True,
        help_text=_("Tingkat bukti: self_reported, agency_verified, ministry_validated, field_verified."),
    )
    reached_target = serializers.BooleanField(
        read_only=True, help_text=_("Ada indikator yang capaian terakhirnya memenuhi target.")
    )
    replication_count = serializers.IntegerField(read_only=True, help_text=_("Jumlah instansi yang mereplikasi."))
    provinces_reached = serializers.IntegerField(
        read_only=True, help_text=_("Jumlah provinsi yang dijangkau replikasi.")
    )
    published_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text=_("Pertama kali terbit."))
    last_confirmed_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Terakhir dikonfirmasi masih berjalan oleh instansi.")
    )
    freshness = serializers.CharField(
        read_only=True,
        help_text=_(
            "Status praktik: running (masih berjalan), unconfirmed (belum dikonfirmasi dalam 6 bulan), "
            "stopped (dihentikan)."
        ),
    )
    web_url = serializers.SerializerMethodField(help_text=_("Alamat halaman publik praktik."))

    def get_province_code(self, practice: Practice) -> str:
        region = practice.agency.region
        if region is None:
            return ""
        return region.code if region.province_id is None else region.province.code

    def get_web_url(self, practice: Practice) -> str:
        if practice.status != Practice.Status.PUBLISHED:
            return ""
        return absolute(self.context.get("request"), stable_reverse("practices:detail", practice.slug))


def _revision_text(name: str) -> serializers.CharField:
    return serializers.CharField(
        source=f"api_revision.{name}", read_only=True, help_text=PracticeRevision._meta.get_field(name).verbose_name
    )


class IndicatorValueSerializer(StrictInputMixin, serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=18, decimal_places=4, help_text=_("Nilai capaian pada tanggal ini."))
    date = serializers.DateField(help_text=_("Tanggal pengukuran capaian."))
    source = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text=_("Sumber data capaian, mis. BPS.")
    )
    evidence_url = serializers.URLField(
        max_length=200, required=False, allow_blank=True, help_text=_("Tautan ke bukti capaian.")
    )

    class Meta:
        model = IndicatorValue
        fields = VALUE_FIELDS


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator with its achieved values, oldest first."""

    id = serializers.IntegerField(read_only=True, help_text=_("Nomor indikator."))
    name = serializers.CharField(read_only=True, help_text=_("Nama indikator."))
    unit = serializers.CharField(read_only=True, help_text=_("Satuan nilai indikator, mis. hari, persen, orang."))
    baseline_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, read_only=True, allow_null=True, help_text=_("Nilai awal sebelum praktik.")
    )
    baseline_year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Tahun nilai awal."))
    target_value = serializers.DecimalField(
        max_digits=18, decimal_places=4, read_only=True, allow_null=True, help_text=_("Nilai yang ditargetkan.")
    )
    target_year = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("Tahun target."))
    higher_is_better = serializers.BooleanField(
        read_only=True, help_text=_("Benar bila nilai lebih tinggi lebih baik (salah untuk mis. angka kemiskinan).")
    )
    source = serializers.CharField(read_only=True, help_text=_("Sumber data indikator."))
    evidence_url = serializers.CharField(read_only=True, help_text=_("Tautan ke bukti."))
    values = IndicatorValueSerializer(many=True, read_only=True, help_text=_("Nilai capaian, terlama dahulu."))

    class Meta:
        model = Indicator
        fields = ["id", *INDICATOR_FIELDS, "values"]


class AttachmentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text=_("Nomor lampiran."))
    purpose = serializers.CharField(read_only=True, help_text=_("Kegunaan: evidence (bukti), kit, atau cover."))
    title = serializers.CharField(read_only=True, help_text=_("Keterangan lampiran."))
    original_name = serializers.CharField(read_only=True, help_text=_("Nama berkas saat diunggah."))
    mime_type = serializers.CharField(read_only=True, help_text=_("Jenis berkas, ditentukan dari isinya."))
    size = serializers.IntegerField(read_only=True, help_text=_("Ukuran berkas."))
    sha256 = serializers.CharField(read_only=True, help_text=_("Sidik SHA-256 isi berkas."))
    indicator = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Indikator yang dibuktikan lampiran ini, bila ada.")
    )
    download_url = serializers.SerializerMethodField(help_text=_("Alamat unduhan (diperiksa hak aksesnya)."))

    class Meta:
        model = Attachment
        fields = ["id", "purpose", "title", "original_name", "mime_type", "size", "sha256", "indicator", "download_url"]

    def get_download_url(self, attachment: Attachment) -> str:
        return absolute(self.context.get("request"), stable_reverse("manage:attachment_download", attachment.pk))


class VerificationSerializer(serializers.ModelSerializer):
    """One verification record behind the evidence level (read only; the verifier is named by role only)."""

    level = serializers.CharField(read_only=True, help_text=_("Tingkat bukti yang didukung catatan ini."))
    method = serializers.CharField(
        read_only=True, help_text=_("Cara verifikasi: document_check, data_check, atau field_visit.")
    )
    source_name = serializers.CharField(read_only=True, help_text=_("Sumber data pembanding (pemeriksaan data)."))
    verified_on = serializers.DateField(read_only=True, help_text=_("Tanggal verifikasi."))
    verifier_role = serializers.CharField(read_only=True, help_text=_("Peran verifikator: agency atau ministry."))
    revision_number = serializers.IntegerField(
        source="revision.number", read_only=True, allow_null=True, help_text=_("Nomor revisi yang diverifikasi.")
    )
    notes = serializers.CharField(read_only=True, help_text=_("Yang diperiksa dan hasilnya."))

    class Meta:
        model = Verification
        fields = ["level", "method", "source_name", "verified_on", "verifier_role", "revision_number", "notes"]


class ReplicationCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("Jumlah replikasi yang tercatat, semua tahap."))
    by_stage = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=_("Jumlah replikasi per tahap: interest, study, legal_basis, launched, results."),
    )


class TranslationSerializer(serializers.Serializer):
    """A verified translation of the live revision's text (title, summary, narrative; an empty field means
    "read it in Indonesian"). Drafts and translations of older revisions are never exposed."""

    language = serializers.CharField(read_only=True, help_text=_("Kode bahasa terjemahan (BCP 47), mis. en."))
    verified = serializers.SerializerMethodField(help_text=_("Selalu true: hanya terjemahan terverifikasi tampil."))
    verified_at = serializers.DateTimeField(read_only=True, help_text=_("Kapan moderator memverifikasinya."))
    source = serializers.CharField(read_only=True, help_text=_("Asal terjemahan: human atau machine (dikoreksi)."))

    def get_fields(self):
        fields = super().get_fields()
        for name in TRANSLATABLE_FIELDS:
            fields[name] = serializers.CharField(
                source=f"fields.{name}",
                default="",
                read_only=True,
                help_text=PracticeRevision._meta.get_field(name).verbose_name,
            )
        return fields

    def get_verified(self, translation: PracticeTranslation) -> bool:
        return translation.state == PracticeTranslation.State.VERIFIED


class PracticeDetailSerializer(PracticeListSerializer):
    """A practice with the content of the revision the caller reads (`practice.api_revision`).

    The public reads the live revision; the owning agency (and moderators once it was submitted) read the
    working revision, whose `version` a PATCH must name.
    """

    status = serializers.CharField(read_only=True, help_text=_("Status publikasi: unpublished, published, archived."))
    revision_number = serializers.IntegerField(
        source="api_revision.number", read_only=True, help_text=_("Nomor revisi.")
    )
    revision_state = serializers.CharField(
        source="api_revision.state",
        read_only=True,
        help_text=_("Status revisi: draft, agency_review, submitted, in_review, changes_requested, published, ..."),
    )
    version = serializers.IntegerField(
        source="api_revision.version", read_only=True, help_text=_("Versi isi revisi; PATCH harus menyebutkannya.")
    )
    source_practice = serializers.IntegerField(
        source="source_id", read_only=True, allow_null=True, help_text=_("Praktik asal bila ini replikasi.")
    )
    updated_at = serializers.DateTimeField(read_only=True, help_text=_("Terakhir diubah."))
    other_themes = CodeListField(
        source="api_revision.other_themes",
        help_text=_("Kode tema lain selain tema utama."),
    )
    other_regions = CodeListField(
        source="api_revision.other_regions",
        help_text=_("Kode wilayah lain tempat praktik berjalan."),
    )
    problem = _revision_text("problem")
    affected = _revision_text("affected")
    approach = _revision_text("approach")
    novelty = _revision_text("novelty")
    partners = _revision_text("partners")
    beneficiaries = _revision_text("beneficiaries")
    impact = _revision_text("impact")
    cost = serializers.DecimalField(
        source="api_revision.cost", max_digits=16, decimal_places=0, allow_null=True, read_only=True,
        help_text=PracticeRevision._meta.get_field("cost").verbose_name,
    )  # fmt: skip
    staff_count = serializers.IntegerField(
        source="api_revision.staff_count", allow_null=True, read_only=True,
        help_text=PracticeRevision._meta.get_field("staff_count").verbose_name,
    )  # fmt: skip
    budget_source = _revision_text("budget_source")
    regulation = _revision_text("regulation")
    sustainability = _revision_text("sustainability")
    success_conditions = _revision_text("success_conditions")
    replication_steps = _revision_text("replication_steps")
    challenges = _revision_text("challenges")
    failures = _revision_text("failures")
    do_differently = _revision_text("do_differently")
    contact_name = _revision_text("contact_name")
    contact_position = _revision_text("contact_position")
    contact_email = serializers.SerializerMethodField(
        help_text=_("Email narahubung; hanya untuk pengguna instansi yang masuk, selain itu null.")
    )
    indicators = IndicatorSerializer(source="api_revision.indicators", many=True, read_only=True)
    # The files the revision shows (carried from earlier revisions included), not only those uploaded to it.
    attachments = AttachmentSerializer(source="api_revision.files", many=True, read_only=True)
    replications = serializers.SerializerMethodField(help_text=_("Jumlah replikasi praktik ini."))
    verifications = VerificationSerializer(
        many=True, read_only=True, help_text=_("Catatan verifikasi di balik tingkat bukti, terbaru dahulu.")
    )
    stopped_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("Kapan praktik dinyatakan dihentikan, bila dihentikan.")
    )
    stopped_reason = serializers.CharField(read_only=True, help_text=_("Alasan praktik dihentikan."))
    language = serializers.SerializerMethodField(
        help_text=_("Bahasa teks di atas: selalu id (praktik ditulis dalam bahasa Indonesia).")
    )
    translations = serializers.SerializerMethodField(
        help_text=_("Versi bahasa lain yang telah diverifikasi moderator, dari revisi yang terbit.")
    )
    # The working revision's own title, summary and identity, not the practice's denormalised live copy
    # (for the public both are the live revision).
    title = serializers.CharField(source="api_revision.title", read_only=True, help_text=_("Judul praktik."))
    summary = serializers.CharField(source="api_revision.summary", read_only=True, help_text=_("Ringkasan."))
    primary_theme = CodeField(
        source="api_revision.primary_theme", allow_null=True,
        help_text=_("Kode tema utama (lihat /api/v1/themes/)."),
    )  # fmt: skip
    start_year = serializers.IntegerField(
        source="api_revision.start_year", read_only=True, allow_null=True, help_text=_("Tahun praktik dimulai.")
    )
    stage = serializers.CharField(source="api_revision.stage", read_only=True, help_text=_("Tahap."))
    is_digital = serializers.BooleanField(
        source="api_revision.is_digital", read_only=True, help_text=_("Praktik berbasis digital.")
    )

    def get_contact_email(self, practice: Practice) -> str | None:
        return practice.api_revision.contact_email if self.context.get("show_contact") else None

    def get_language(self, practice: Practice) -> str:
        return "id"

    @extend_schema_field(TranslationSerializer(many=True))
    def get_translations(self, practice: Practice) -> list:
        # Read through `practice.translations.all()` so that a list (the dump) can prefetch them.
        rows = [
            t
            for t in practice.translations.all()
            if t.state == PracticeTranslation.State.VERIFIED and t.revision_id == practice.live_revision_id
        ]
        return TranslationSerializer(sorted(rows, key=lambda t: t.language), many=True).data

    @extend_schema_field(ReplicationCountsSerializer)
    def get_replications(self, practice: Practice) -> dict:
        by_stage = getattr(practice, "replications_by_stage", {})
        data = {"total": sum(by_stage.values()), "by_stage": by_stage}
        return ReplicationCountsSerializer(data).data


class PracticeDumpSerializer(PracticeDetailSerializer):
    """A line of the public JSON Lines dump: the public detail without attachments and replication counts."""

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("attachments")
        fields.pop("replications")
        return fields


class MapRowSerializer(serializers.Serializer):
    """The columns of the who-does-what export (one row per indicator, or per practice without one)."""

    province = serializers.CharField(help_text=_("Nama provinsi (kosong untuk instansi pusat)."))
    agency_name = serializers.CharField(help_text=_("Nama instansi."))
    agency_kind = serializers.CharField(help_text=_("Jenis instansi."))
    title = serializers.CharField(help_text=_("Judul praktik."))
    indicator = serializers.CharField(help_text=_("Nama indikator."))
    unit = serializers.CharField(help_text=_("Satuan indikator."))
    baseline_value = serializers.CharField(help_text=_("Nilai awal."))
    target_value = serializers.CharField(help_text=_("Nilai target."))
    target_year = serializers.CharField(help_text=_("Tahun target."))
    latest_value = serializers.CharField(help_text=_("Capaian terakhir."))
    latest_date = serializers.CharField(help_text=_("Tanggal capaian terakhir."))


# Writes --------------------------------------------------------------------------------------------------------


def _text(max_length: int = TEXT_MAX_LENGTH, **kw) -> serializers.CharField:
    return serializers.CharField(
        required=False, allow_blank=True, max_length=max_length, validators=[no_control_characters], **kw
    )


class PracticeWriteSerializer(StrictInputMixin, serializers.Serializer):
    """Fields of the draft a client may set; any subset (a draft demands nothing until it is submitted)."""

    title = _text(200, help_text=PracticeRevision._meta.get_field("title").verbose_name)
    summary = _text(2000, help_text=PracticeRevision._meta.get_field("summary").verbose_name)
    start_year = serializers.IntegerField(required=False, allow_null=True, min_value=1945, max_value=2100)
    stage = serializers.ChoiceField(choices=PracticeRevision.Stage.choices, required=False, allow_blank=True)
    is_digital = serializers.BooleanField(required=False)
    primary_theme = serializers.SlugRelatedField(
        slug_field="code", queryset=Theme.objects.all(), required=False, allow_null=True
    )
    other_themes = serializers.SlugRelatedField(
        slug_field="code", queryset=Theme.objects.all(), many=True, required=False
    )
    other_regions = serializers.SlugRelatedField(
        slug_field="code", queryset=Region.objects.all(), many=True, required=False
    )
    problem = _text()
    affected = _text()
    approach = _text()
    novelty = _text()
    partners = _text()
    beneficiaries = _text()
    impact = _text()
    cost = serializers.DecimalField(max_digits=16, decimal_places=0, min_value=0, required=False, allow_null=True)
    staff_count = serializers.IntegerField(min_value=0, max_value=2_147_483_647, required=False, allow_null=True)
    budget_source = _text(200)
    regulation = _text()
    sustainability = _text()
    success_conditions = _text()
    replication_steps = _text()
    challenges = _text()
    failures = _text()
    do_differently = _text()
    contact_name = _text(150)
    contact_position = _text(150)
    contact_email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    contact_phone = _text(40)


class PracticePatchSerializer(PracticeWriteSerializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2_147_483_647, help_text=_("Versi revisi yang Anda baca (optimistic locking).")
    )


# Every writable field belongs to exactly one section of the web form (coauthors stay on the web form).
assert set(PracticeWriteSerializer._declared_fields) == {  # noqa: S101
    name for fields in SECTION_FIELDS.values() for name in fields if name != "coauthors"
}


class IndicatorWriteSerializer(StrictInputMixin, serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2_147_483_647, help_text=_("Versi revisi yang dibaca."))
    name = serializers.CharField(max_length=200)
    unit = serializers.CharField(max_length=50)
    baseline_value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    baseline_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
    target_value = serializers.DecimalField(max_digits=18, decimal_places=4, required=False, allow_null=True)
    target_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False, allow_null=True)
    higher_is_better = serializers.BooleanField(required=False, default=True)
    source = _text(200)
    evidence_url = serializers.URLField(max_length=200, required=False, allow_blank=True)
    values = IndicatorValueSerializer(many=True, required=False, max_length=100)


class AttachmentWriteSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG, PNG, WebP, docx, xlsx, pptx, odt atau ods."))
    purpose = serializers.ChoiceField(choices=Attachment.Purpose.choices, required=False, default="evidence")
    title = _text(200)
    indicator = serializers.IntegerField(min_value=1, max_value=2_147_483_647, required=False, allow_null=True)


class DecisionSerializer(StrictInputMixin, serializers.Serializer):
    action = serializers.ChoiceField(choices=DECISIONS)
    comment = _text(5000, default="")
    evidence_level = serializers.ChoiceField(choices=Practice.EvidenceLevel.choices, required=False)
    section_comments = serializers.DictField(child=_text(2000), required=False, default=dict)
    # The publish guard: an approval of a revision whose pre-screen flagged likely duplicates needs both.
    not_duplicate = serializers.BooleanField(required=False, default=False)
    not_duplicate_reason = _text(2000, default="")

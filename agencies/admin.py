from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import form_error_add

from .forms import LANGUAGE_CHOICES
from .models import Agency, Invitation, Membership, Region
from .services.invitations import invitation_first_admin


class InvitationStateFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("pending", _("Menunggu")),
            ("expired", _("Kedaluwarsa")),
            ("accepted", _("Diterima")),
            ("revoked", _("Dibatalkan")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        return {
            "pending": queryset.pending(now=now),
            "expired": queryset.open().filter(expires_at__lte=now),
            "accepted": queryset.filter(accepted_at__isnull=False),
            "revoked": queryset.filter(revoked_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "province"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]


class FirstAdminForm(forms.Form):
    email = forms.EmailField(label=_("Email admin pertama"), max_length=254)
    language = forms.ChoiceField(label=_("Bahasa email undangan"), choices=LANGUAGE_CHOICES)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "acronym", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "acronym"]
    raw_id_fields = ["region"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["invite_first_admin"]

    @admin.action(description=_("Undang admin pertama"), permissions=["change"])
    def invite_first_admin(self, request, queryset):
        """The ministry starts an agency: one agency, an address, then `invitation_first_admin` (which refuses
        when the agency has an admin or a pending admin invitation)."""
        if queryset.count() != 1:
            self.message_user(request, _("Pilih tepat satu instansi."), messages.ERROR)
            return None
        agency = queryset.get()
        form = FirstAdminForm(request.POST if "apply" in request.POST else None, initial={"language": "id"})
        if form.is_bound and form.is_valid():
            try:
                invitation_first_admin(
                    agency=agency,
                    email=form.cleaned_data["email"],
                    by=request.user,
                    language=form.cleaned_data["language"],
                )
            except ValidationError as exc:
                form_error_add(form, exc)
            else:
                self.message_user(
                    request, _("Undangan admin pertama dikirim ke %(email)s.") % {"email": form.cleaned_data["email"]}
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "agency": agency,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return render(request, "admin/agencies/agency/invite_first_admin.html", context)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Read-mostly: memberships change through the people page and the services (a removal is audited);
    never deleted here, so that the history of who belonged where stays."""

    list_display = ["user", "agency", "role", "state", "created_at"]
    list_filter = ["role", "state", "agency__kind"]
    search_fields = ["user__email", "user__full_name", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]
    readonly_fields = ["user", "agency", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are written by the services (the link's token exists only in the email)."""

    list_display = ["email", "agency", "role", "ministry_role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [InvitationStateFilter, "role", "ministry_role", "agency__kind"]
    search_fields = ["email", "agency__name", "agency__code"]
    raw_id_fields = ["agency", "invited_by", "accepted_user"]
    list_select_related = ["agency"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# RB index scores (issue #6) ----------------------------------------------------------------------------------
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.urls import path  # noqa: E402

from .models import RBIndexScore  # noqa: E402
from .services.rbindex import rb_category, rb_index_import  # noqa: E402


class RBIndexUploadForm(forms.Form):
    file = forms.FileField(label=_("Berkas CSV (kode instansi, tahun, nilai)"))


@admin.register(RBIndexScore)
class RBIndexScoreAdmin(admin.ModelAdmin):
    list_display = ["agency", "year", "score", "category", "updated_at"]
    list_filter = ["year", "category", "agency__kind"]
    search_fields = ["agency__code", "agency__name"]
    raw_id_fields = ["agency"]
    list_select_related = ["agency"]
    readonly_fields = ["category"]
    change_list_template = "admin/agencies/rbindexscore/change_list.html"

    def get_urls(self):
        extra = [path("import/", self.admin_site.admin_view(self.import_view), name="agencies_rbindexscore_import")]
        return extra + super().get_urls()

    def save_model(self, request, obj, form, change):
        # The category is always derived, also for rows typed in the admin.
        obj.category = rb_category(obj.score)
        super().save_model(request, obj, form, change)

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        report = None
        form = RBIndexUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                text = form.cleaned_data["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("Berkas harus CSV berenkode UTF-8."))
            else:
                report = rb_index_import(text=text)
                messages.success(
                    request,
                    _("Dibuat %(c)d, diperbarui %(u)d, tidak berubah %(n)d, ditolak %(r)d.")
                    % {"c": report.created, "u": report.updated, "n": report.unchanged, "r": len(report.refused)},
                )
                if not report.refused:
                    return redirect("admin:agencies_rbindexscore_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "report": report, "opts": self.model._meta}
        return render(request, "admin/agencies/rbindexscore/import.html", context)

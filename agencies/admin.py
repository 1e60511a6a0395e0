from django.contrib import admin

from .models import Agency, Membership, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "province"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    raw_id_fields = ["province"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "acronym", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name", "acronym"]
    raw_id_fields = ["region"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "state", "created_at"]
    list_filter = ["role", "state", "agency__kind"]
    search_fields = ["user__email", "user__full_name", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


# RB index scores (issue #6) ----------------------------------------------------------------------------------
from django import forms  # noqa: E402
from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402
from django.shortcuts import redirect, render  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.translation import gettext_lazy as _  # noqa: E402

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

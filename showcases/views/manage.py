"""The curators' pages (ministry moderators): collections, their practices in order, publishing, the home page.

Thin: a form validates, one service acts, then redirect; a service's refusal is shown on the form that was sent,
with what was typed kept. Works without JavaScript (positions are numbers typed in the list)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import form_error_add
from practices.models import Practice

from .. import services
from ..access import collection_get_for_curator, collection_manage_require
from ..forms import CollectionForm, FeatureForm, ItemAddForm, ItemFormSet, PublishForm
from ..selectors import collection_manage_items, collection_manage_list, practice_candidates


@login_required
def manage_list(request):
    collection_manage_require(user=request.user)
    return render(request, "showcases/manage/collection_list.html", {"collections": collection_manage_list()})


def _collection_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "introduction": data["introduction"],
        "kind": data["kind"],
        "source_label": data["source_label"],
        "decree_number": data["decree_number"],
        "decree_date": data["decree_date"],
        "decree_file": data["decree_file"] or None,
    }


@login_required
@require_http_methods(["GET", "POST"])
def manage_create(request):
    collection_manage_require(user=request.user)
    form = CollectionForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(actor=request.user, is_published=False, **_collection_fields(form))
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Koleksi dibuat (belum terbit). Tambahkan praktiknya, lalu terbitkan."))
            return redirect("showcases:manage_items", pk=collection.pk)
    status = 400 if form.is_bound else 200
    return render(request, "showcases/manage/collection_form.html", {"form": form, "collection": None}, status=status)


def _edit_page(request, collection, *, form=None, publish_form=None, feature_form=None, status=200):
    context = {
        "collection": collection,
        "form": form or CollectionForm(collection=collection),
        "publish_form": publish_form or PublishForm(initial={"published": "0" if collection.is_published else "1"}),
        "feature_form": feature_form
        or FeatureForm(initial={"featured": collection.featured_on_home, "home_position": collection.home_position}),
    }
    return render(request, "showcases/manage/collection_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk):
    collection = collection_get_for_curator(user=request.user, pk=pk)
    if request.method == "GET":
        return _edit_page(request, collection)
    form = CollectionForm(request.POST, request.FILES, collection=collection)
    if form.is_valid():
        try:
            services.collection_update(
                actor=request.user,
                collection=collection,
                decree_file_clear=form.cleaned_data.get("decree_file_clear", False),
                **_collection_fields(form),
            )
        except (ValidationError, PermissionDenied) as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Koleksi disimpan."))
            return redirect("showcases:manage_edit", pk=collection.pk)
    return _edit_page(request, collection, form=form, status=400)


@login_required
@require_POST
def manage_publish(request, pk):
    collection = collection_get_for_curator(user=request.user, pk=pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        published = form.cleaned_data["published"]
        services.collection_publish(actor=request.user, collection=collection, published=published)
        messages.success(request, _("Koleksi terbit.") if published else _("Koleksi ditarik dari publik."))
        return redirect("showcases:manage_edit", pk=collection.pk)
    return _edit_page(request, collection, publish_form=form, status=400)


@login_required
@require_POST
def manage_feature(request, pk):
    collection = collection_get_for_curator(user=request.user, pk=pk)
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            services.collection_feature_set(
                actor=request.user,
                collection=collection,
                featured=form.cleaned_data["featured"],
                position=form.cleaned_data["home_position"],
            )
        except ValidationError as exc:
            form_error_add(form, exc)
        else:
            messages.success(request, _("Tampilan di beranda disimpan."))
            return redirect("showcases:manage_edit", pk=collection.pk)
    return _edit_page(request, collection, feature_form=form, status=400)


# The practices of a collection ---------------------------------------------------------------------------------


def _items_initial(items) -> list[dict]:
    return [
        {"item": item.pk, "position": item.position, "label": item.label, "note": item.note, "remove": False}
        for item in items
    ]


def _items_page(request, collection, items, *, formset=None, add_form=None, status=200):
    text = request.GET.get("q", "").strip()
    rows = formset or ItemFormSet(initial=_items_initial(items), prefix="items")
    by_id = {item.pk: item for item in items}
    context = {
        "collection": collection,
        "formset": rows,
        "rows": [(form, by_id.get(form.initial.get("item") or _int(form["item"].value()))) for form in rows.forms],
        "add_form": add_form or ItemAddForm(),
        "q": text,
        "candidates": practice_candidates(text=text, exclude_ids=[i.practice_id for i in items]) if text else [],
    }
    return render(request, "showcases/manage/collection_items.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def manage_items(request, pk):
    """Order, label and remove the collection's practices: the rows are sorted by the numbers typed."""
    collection = collection_get_for_curator(user=request.user, pk=pk)
    items = collection_manage_items(collection=collection)
    if request.method == "GET":
        return _items_page(request, collection, items)
    formset = ItemFormSet(request.POST, initial=_items_initial(items), prefix="items")
    if formset.is_valid():
        by_id = {item.pk: item for item in items}
        kept = [
            (row["position"], index, by_id[row["item"]], row["label"], row["note"])
            for index, row in enumerate(formset.cleaned_data)
            if row and not row["remove"] and row["item"] in by_id
        ]
        kept.sort(key=lambda r: (r[0], r[1]))  # equal numbers keep their order on the page
        try:
            services.collection_items_set(
                actor=request.user,
                collection=collection,
                items=[(item.practice, label, note) for _pos, _i, item, label, note in kept],
            )
        except ValidationError as exc:
            formset._non_form_errors = formset.error_class(exc.messages)
        else:
            messages.success(request, _("Urutan dan label praktik disimpan."))
            return redirect("showcases:manage_items", pk=collection.pk)
    return _items_page(request, collection, items, formset=formset, status=400)


@login_required
@require_POST
def manage_item_add(request, pk):
    """Add one published practice (by its slug, typed or chosen from the search) at the end of the collection."""
    collection = collection_get_for_curator(user=request.user, pk=pk)
    items = collection_manage_items(collection=collection)
    form = ItemAddForm(request.POST)
    if form.is_valid():
        practice = Practice.objects.published().filter(slug=form.cleaned_data["practice"].strip().strip("/")).first()
        if practice is None:
            form.add_error(
                "practice", _("Tidak ada praktik terbit dengan slug ini. Periksa alamatnya atau cari judulnya.")
            )
        else:
            current = [(item.practice, item.label, item.note) for item in items]
            try:
                services.collection_items_set(
                    actor=request.user,
                    collection=collection,
                    items=[*current, (practice, form.cleaned_data["label"], "")],
                )
            except ValidationError as exc:
                form_error_add(form, exc, field="practice")
            else:
                messages.success(request, _("Praktik “%(title)s” ditambahkan.") % {"title": practice.title})
                return redirect("showcases:manage_items", pk=collection.pk)
    return _items_page(request, collection, items, add_form=form, status=400)

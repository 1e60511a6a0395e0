from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from common.ratelimit import ratelimit

from .forms import (
    FollowEmailForm,
    FollowerFollowForm,
    FollowForm,
    FollowUpdateForm,
    MarkReadForm,
    NotificationSettingsForm,
)
from .models import MANDATORY_KIND_LABELS, Follow, NotificationSetting
from .selectors import (
    follow_by_token,
    follows_for_email,
    follows_for_user,
    notification_list,
    notification_settings_for,
)
from .services.follows import follow_confirm as follow_confirm_service
from .services.follows import (
    follow_request_by_email,
    follow_set,
    follow_target_get,
    follow_unsubscribe,
    follow_update,
    follower_follow_update,
    follower_follows_stop,
)
from .services.notify import notification_mark_read
from .services.preferences import notification_setting_set, notification_settings_save
from .tokens import follower_manage_read, kind_unsubscribe_read


@login_required
def notification_index(request):
    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    # The unread count comes from the context processor (`unread_notifications`), counted once per request.
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request):
    form = MarkReadForm(request.POST)
    if form.is_valid():
        notification_mark_read(user=request.user, notification_id=form.cleaned_data["notification"])
    return redirect("notifications:list")


# Follows ------------------------------------------------------------------------------------------------------


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(target)
    return redirect(fallback)


@login_required
def follow_index(request):
    """ "Langganan saya": the user's follows, each with its frequency."""
    follows = follows_for_user(user=request.user)
    rows = [(f, FollowUpdateForm(initial={"frequency": f.frequency}, prefix=f"f{f.pk}")) for f in follows]
    return render(request, "notifications/follow_list.html", {"rows": rows})


@login_required
@require_POST
def follow(request):
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Langganan tidak dapat disimpan."))
        return _back(request, "notifications:follows")
    data = form.cleaned_data
    follow_set(user=request.user, kind=data["kind"], target=data["target_object"], frequency=data["frequency"])
    messages.success(request, _("Anda mengikuti %(target)s.") % {"target": data["target_object"]})
    return _back(request, "notifications:follows")


@require_http_methods(["GET", "POST"])
@ratelimit(key="follow-email", rate="10/h", methods=["POST"], fail_closed=True)  # it emails a typed address
def follow_email(request):
    """The public follows by email: the form, then "check your inbox" (the same page whatever the address)."""
    if request.method == "POST":
        form = FollowEmailForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            follow_request_by_email(
                email=data["email"],
                kind=data["kind"],
                target=data["target_object"],
                frequency=data["frequency"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
            return render(request, "notifications/follow_email_sent.html", {"email": data["email"]})
        status = 400
    else:
        form = FollowEmailForm(initial={"kind": request.GET.get("kind"), "target": request.GET.get("target")})
        status = 200
    target = None
    if form["kind"].value() and form["target"].value():
        try:
            target = follow_target_get(kind=form["kind"].value(), target_id=int(form["target"].value()))
        except (ValueError, TypeError, ValidationError):
            target = None
    return render(request, "notifications/follow_email.html", {"form": form, "target": target}, status=status)


@login_required
@require_POST
def follow_change(request, pk: int):
    form = FollowUpdateForm(request.POST, prefix=f"f{pk}")
    if form.is_valid() and follow_update(
        user=request.user, follow_id=pk, frequency=form.cleaned_data["frequency"], delete=form.cleaned_data["delete"]
    ):
        messages.success(request, _("Langganan diperbarui."))
    else:
        messages.error(request, _("Langganan tidak dapat diperbarui."))
    return redirect("notifications:follows")


@require_http_methods(["GET", "POST"])
def follow_confirm(request, token: str):
    """The link in the confirmation email: GET shows a button (link scanners must not confirm), POST confirms."""
    found = follow_by_token(token=token)
    if found is None:
        return render(request, "notifications/token_invalid.html", status=404)
    if request.method == "POST":
        found = follow_confirm_service(token=token)
        return render(request, "notifications/follow_confirmed.html", {"follow": found})
    return render(request, "notifications/follow_confirm.html", {"follow": found})


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers without a CSRF token; the token authorises.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """One-click unsubscribe without login: GET asks to confirm, POST (the button or RFC 8058) unsubscribes."""
    found = follow_by_token(token=token)
    if found is None:
        return render(request, "notifications/token_invalid.html", status=404)
    everything = bool(request.GET.get("semua") or request.POST.get("semua"))
    if request.method == "POST":
        follow_unsubscribe(token=token, everything=everything)
        return render(request, "notifications/unsubscribed.html", {"follow": found, "everything": everything})
    return render(request, "notifications/unsubscribe.html", {"follow": found, "everything": everything})


# Notification settings and the links in emails -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request):
    """Per kind group: in the portal only, by email at once, or in a daily or weekly digest email."""
    channels = notification_settings_for(user=request.user)
    status = 200
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, channels=channels)
        if form.is_valid():
            notification_settings_save(user=request.user, channels=form.cleaned_data)
            messages.success(request, _("Pengaturan notifikasi disimpan."))
            return redirect("notifications:settings")
        status = 400
    else:
        form = NotificationSettingsForm(channels=channels)
    context = {"form": form, "mandatory": sorted(MANDATORY_KIND_LABELS.items())}
    return render(request, "notifications/settings.html", context, status=status)


def _kind_unsubscribe_target(token: str):
    """(user, group) of a valid kind-unsubscribe token for an active user; None otherwise."""
    found = kind_unsubscribe_read(token=token)
    if found is None or found[1] not in NotificationSetting.Group.values:
        return None
    user = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    return (user, NotificationSetting.Group(found[1])) if user else None


@csrf_exempt  # RFC 8058 one-click POSTs come from mail providers without a CSRF token; the signed token authorises.
@require_http_methods(["GET", "POST"])
def unsubscribe_kind(request, token: str):
    """The unsubscribe link of a user's email: GET asks (mail scanners prefetch links), POST (the button, or
    RFC 8058 `List-Unsubscribe=One-Click`) sets that kind group to "in the portal only". Needs no login."""
    target = _kind_unsubscribe_target(token)
    if target is None:
        return render(request, "notifications/token_invalid.html", status=404)
    user, group = target
    if request.method == "POST":
        notification_setting_set(user=user, group=group, channel=NotificationSetting.Channel.IN_APP)
        return render(request, "notifications/unsubscribed_kind.html", {"group": group})
    return render(request, "notifications/unsubscribe_kind.html", {"group": group, "address": user.email})


@require_http_methods(["GET", "POST"])
def follower_manage(request, token: str):
    """An email-only follower's page (signed link in every follower email): all follows of the address, each
    to change or stop, or stop them all. Needs no login; a changed link is a 404."""
    email = follower_manage_read(token=token)
    if email is None:
        return render(request, "notifications/token_invalid.html", status=404)
    status = 200
    if request.method == "POST":
        form = FollowerFollowForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if data["everything"]:
                follower_follows_stop(email=email)
                messages.success(request, _("Semua langganan dihentikan."))
            elif follower_follow_update(
                email=email, follow_id=data["follow"], frequency=data["frequency"], stop=data["stop"]
            ):
                messages.success(request, _("Langganan diperbarui."))
            else:
                messages.error(request, _("Langganan tidak dapat diperbarui."))
            return redirect(request.path)
        messages.error(request, _("Langganan tidak dapat diperbarui."))
        status = 400
    context = {"email": email, "follows": follows_for_email(email=email), "frequencies": Follow.Frequency.choices}
    return render(request, "notifications/follower_manage.html", context, status=status)

"""The people of an agency (its admin: members and invitations) and the ministry's moderators (lead
moderators), and the public page where an invited person accepts. Thin views: a form, one service, a redirect;
who may do what is `agencies.access`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common.forms import error_text, form_error_add
from common.ratelimit import ratelimit

from .access import (
    invitation_get_for_manager,
    invitation_manage_url_name,
    membership_get_for_admin,
    moderators_manage_require,
    people_manage_require,
)
from .forms import AcceptForm, InviteForm, ModeratorInviteForm
from .selectors import account_for_email, agency_invitations_open, agency_members, invitation_by_token, moderator_list
from .services import invitations as services
from .services.memberships import membership_end

_send_limit = ratelimit(
    key=services.INVITATION_SEND_RATE_KEY, rate=services.INVITATION_SEND_RATE, methods=["POST"], fail_closed=True
)


@login_required
def people(request):
    """An agency admin's page: the agency's members and its invitations not yet accepted."""
    agency = people_manage_require(user=request.user)
    context = {
        "agency": agency,
        "members": agency_members(agency=agency),
        "invitations": agency_invitations_open(agency=agency),
    }
    return render(request, "agencies/people/people.html", context)


def _invite_page(request, *, form_class, agency, template: str, back: str):
    form = form_class(request.POST or None, initial={"language": request.user.language})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.invitation_create(
                    email=data["email"],
                    agency=agency,
                    role=data["role"] if agency is not None else "",
                    ministry_role=data["role"] if agency is None else "",
                    by=request.user,
                    language=data["language"],
                    request=request,
                )
            except ValidationError as exc:
                form_error_add(form, exc)
            else:
                messages.success(request, _("Undangan dikirim ke %(email)s.") % {"email": data["email"]})
                return redirect(back)
        status = 400
    return render(request, template, {"form": form, "agency": agency}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@_send_limit
def invite(request):
    agency = people_manage_require(user=request.user)
    return _invite_page(
        request, form_class=InviteForm, agency=agency, template="agencies/people/invite.html", back="agencies:people"
    )


@login_required
@require_POST
@_send_limit
def invitation_resend(request, pk: int):
    invitation = invitation_get_for_manager(user=request.user, pk=pk)
    try:
        services.invitation_resend(invitation_id=invitation.pk, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Undangan dikirim ulang ke %(email)s.") % {"email": invitation.email})
    return redirect(invitation_manage_url_name(invitation=invitation))


@login_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = invitation_get_for_manager(user=request.user, pk=pk)
    try:
        services.invitation_revoke(invitation_id=invitation.pk, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Undangan untuk %(email)s dibatalkan.") % {"email": invitation.email})
    return redirect(invitation_manage_url_name(invitation=invitation))


@login_required
@require_POST
def member_remove(request, pk: int):
    """End a membership; the person's practices and drafts stay with the agency."""
    membership = membership_get_for_admin(user=request.user, pk=pk)
    try:
        membership_end(membership_id=membership.pk, by=request.user, request=request)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("agencies:people")
    messages.success(
        request,
        _("%(name)s tidak lagi menjadi anggota. Praktik dan drafnya tetap milik instansi.")
        % {"name": membership.user.get_full_name()},
    )
    if membership.user_id == request.user.pk:  # an admin who left is no longer allowed on the people page
        return redirect("accounts:account")
    return redirect("agencies:people")


def _two_factor_reset_url(user_id: int) -> str:
    """The reset form's action (accounts:2fa_reset); empty while that view does not exist yet."""
    try:
        return reverse("accounts:2fa_reset", args=[user_id])
    except NoReverseMatch:
        return ""


@login_required
def moderators(request):
    """A lead moderator's page: moderators (with their second factor) and the ministry's open invitations."""
    moderators_manage_require(user=request.user)
    rows = [
        (person, _two_factor_reset_url(person.pk) if person.pk != request.user.pk else "")
        for person in moderator_list()
    ]
    context = {"rows": rows, "invitations": agency_invitations_open(agency=None)}
    return render(request, "agencies/people/moderators.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@_send_limit
def moderator_invite(request):
    moderators_manage_require(user=request.user)
    return _invite_page(
        request,
        form_class=ModeratorInviteForm,
        agency=None,
        template="agencies/people/moderator_invite.html",
        back="agencies:moderators",
    )


def _invalid(request, reason: str, status: int):
    return render(request, "agencies/people/invitation_invalid.html", {"reason": reason}, status=status)


def _landing(person) -> str:
    return "review:queue" if person.is_moderator else "manage:list"


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """The link in the invitation email (public). GET shows the page; only the POST accepts, so a mail scanner
    that opens links takes nothing. Unknown, tampered or replaced links are a 404; accepted, revoked or expired
    ones a 410: each page says what happened and what to do."""
    invitation = invitation_by_token(token=token)
    if invitation is None:
        return _invalid(request, "unknown", 404)
    state = invitation.state()
    if state != "pending":
        return _invalid(request, state, 410)
    account = account_for_email(email=invitation.email)
    context = {"invitation": invitation, "account": account, "token": token}
    if account is not None:
        # An address that has an account: that person accepts while signed in (no second password to set).
        context["refusal"] = services.invitation_refusal(email=invitation.email, agency=invitation.agency)
        context["signed_in_as_other"] = request.user.is_authenticated and request.user.pk != account.pk
        can_accept = request.user.is_authenticated and not context["signed_in_as_other"] and not context["refusal"]
        if request.method == "POST" and can_accept:
            try:
                person = services.invitation_accept(invitation_id=invitation.pk, user=request.user, request=request)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Undangan diterima. Selamat bergabung."))
                return redirect(_landing(person))
        context["login_url"] = f"{reverse('accounts:login')}?next={request.path}"
        return render(request, "agencies/people/invitation_accept_existing.html", context)
    if request.user.is_authenticated:
        # Signed in as someone else: a new account must not be created under another person's session.
        context["signed_in_as_other"] = True
        return render(request, "agencies/people/invitation_accept_existing.html", context)
    form = AcceptForm(request.POST or None, email=invitation.email)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = services.invitation_accept(
                    invitation_id=invitation.pk,
                    password=data["new_password1"],
                    full_name=data["full_name"],
                    position=data["position"],
                    request=request,
                )
            except ValidationError as exc:
                form_error_add(form, exc)
            else:
                login(request, person, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Akun Anda siap. Selamat bergabung."))
                return redirect(_landing(person))
        status = 400
    context["form"] = form
    return render(request, "agencies/people/invitation_accept.html", context, status=status)

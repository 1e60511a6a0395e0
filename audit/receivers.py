"""Signal receivers: they translate Django's and axes' login signals into audit events, nothing more."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .services import Action, audit_record


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def _login_succeeded(sender, request, user, **kwargs):
    audit_record(actor=user, action=Action.LOGIN_SUCCEEDED, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # `credentials` is already cleansed by Django (the password is masked); keep only the identifier.
    audit_record(
        actor=None,
        action=Action.LOGIN_FAILED,
        data={"username": str(credentials.get("username", ""))[:254]},
        request=request,
    )


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=Action.LOGOUT, target=user, request=request)


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(
        actor=None, action=Action.LOGIN_LOCKED_OUT, data={"username": str(username or "")[:254]}, request=request
    )

"""Receivers for signals of the apps below: they only call this app's services."""

from django.dispatch import receiver

from accounts.signals import SECURITY_KINDS, security_notice

from .services.notify import notify


@receiver(security_notice, dispatch_uid="notifications.security_notice")
def security_notice_write(sender, *, kind: str, recipient, context: dict, target_url: str = "", **kwargs) -> None:
    if kind not in SECURITY_KINDS:
        raise ValueError(f"{kind!r} is not a security notice kind")
    notify(
        recipients=[recipient],
        kind=kind,
        context=context,
        target_url=target_url,
        language=kwargs.get("language") or "",
        dedupe_key=kwargs.get("dedupe_key") or "",
    )

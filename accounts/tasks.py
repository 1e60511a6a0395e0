from celery import shared_task

from .services import passwords


@shared_task(acks_late=True)  # a duplicate sends a second, equally valid link: harmless
def password_reset_send(email: str) -> int:
    """Look the address up and write the reset notice (the request did not, so it could not tell)."""
    return passwords.password_reset_send(email=email)

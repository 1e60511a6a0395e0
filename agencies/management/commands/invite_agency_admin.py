from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from agencies.services.invitations import invitation_first_admin


class Command(BaseCommand):
    help = (
        "Invite the first admin of an agency by email (a single-use link valid AGENCIES_INVITATION_DAYS days). "
        "Refused when the agency already has an active admin or a pending admin invitation."
    )

    def add_arguments(self, parser):
        parser.add_argument("agency_code", help="agency code, e.g. 35.78 or kemenpanrb")
        parser.add_argument("email")
        parser.add_argument("--language", choices=["id", "en"], default="id", help="language of the email")

    def handle(self, *args, agency_code, email, language, **options):
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"No agency with code {agency_code!r}. Run load_reference_data first?")
        try:
            invitation = invitation_first_admin(agency=agency, email=email, language=language)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        until = f"{invitation.expires_at:%Y-%m-%d %H:%M}"
        self.stdout.write(f"invitation sent to {invitation.email}: admin of {agency.name}, valid until {until} UTC")

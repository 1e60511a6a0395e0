from django.core.management.base import BaseCommand, CommandError

from accounts.services.users import user_ensure, user_password_set_link
from agencies.models import Agency, Membership
from agencies.services.memberships import membership_set


class Command(BaseCommand):
    help = "Create (when missing) an account and make it a member or admin of an agency."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("agency_code", help="agency code, e.g. 35.78 or kemenpanrb")
        parser.add_argument("--role", choices=[c for c, _ in Membership.Role.choices], default="member")
        parser.add_argument("--password", help="set this password instead of printing a one-time link")
        parser.add_argument("--name", default="", help="full name for a new account")

    def handle(self, *args, email, agency_code, role, password, name, **options):
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"No agency with code {agency_code!r}. Run load_reference_data first?")
        user, created = user_ensure(email=email, password=password, full_name=name)
        membership_set(user=user, agency=agency, role=role)
        self.stdout.write(f"{'created' if created else 'updated'} {user.email}: {role} of {agency.name}")
        if not password:
            self.stdout.write(f"one-time password-set link: {user_password_set_link(user=user)}")

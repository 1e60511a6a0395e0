from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services.users import user_ensure, user_ministry_role_set, user_password_set_link


class Command(BaseCommand):
    help = "Create (when missing) an account and make it a ministry moderator (or lead moderator with --lead)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--lead", action="store_true", help="lead moderator: may reassign and set rules")
        parser.add_argument("--password", help="set this password instead of printing a one-time link")
        parser.add_argument("--name", default="", help="full name for a new account")

    def handle(self, *args, email, lead, password, name, **options):
        user, created = user_ensure(email=email, password=password, full_name=name)
        role = User.MinistryRole.LEAD if lead else User.MinistryRole.MODERATOR
        user_ministry_role_set(user=user, role=role)
        self.stdout.write(f"{'created' if created else 'updated'} {user.email}: {role.label}")
        if not password:
            self.stdout.write(f"one-time password-set link: {user_password_set_link(user=user)}")

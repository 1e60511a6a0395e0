import factory

from accounts.models import User
from agencies.models import Agency, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.go.id")
    full_name = factory.Faker("name", locale="id_ID")
    # Hashed at build time, so the saved row has it (force_login sessions then survive the next request).
    password = factory.django.Password("rahasia-uji-123")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.LazyFunction(lambda: Agency.objects.get(code="35.78"))
    role = Membership.Role.MEMBER
    state = Membership.State.ACTIVE

"""Agencies API v1: the public directory (filters kind, province, q) and one agency by its code; for an agency
admin, the members and invitations of their own agency (`members`, `invitations`), through the same access
functions and services as the people page: another agency's ids are 404, a caller who is not an admin 403,
and a service's refusal (the last admin, an address already invited) a 400 through `common.api`."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from common.api import ErrorSerializer
from common.idempotency import IdempotentWritesMixin
from common.ratelimit import ratelimit_hit

from .access import invitation_get_for_manager, membership_get_for_admin, people_manage_require
from .filters import AgencyFilter
from .models import Agency, Invitation, Membership
from .selectors import agency_invitations_open, agency_list, agency_members
from .services import invitations as invitation_services
from .services.memberships import membership_end


class AgencySerializer(serializers.ModelSerializer):
    """One agency (also a row of the directory's CSV/XLSX export)."""

    code = serializers.CharField(read_only=True, help_text=_("Kode instansi: kode wilayah Kemendagri atau singkatan."))
    name = serializers.CharField(read_only=True, help_text=_("Nama resmi instansi."))
    acronym = serializers.CharField(read_only=True, help_text=_("Singkatan, bila ada."))
    kind = serializers.CharField(
        read_only=True,
        help_text=_(
            "Jenis: kementerian_koordinator, kementerian, lembaga, sekretariat_lembaga_negara, provinsi, "
            "kabupaten, kota."
        ),
    )
    region_code = serializers.SerializerMethodField(help_text=_("Kode wilayah (kosong untuk instansi pusat)."))
    province_code = serializers.SerializerMethodField(help_text=_("Kode provinsi (kosong untuk instansi pusat)."))
    practice_count = serializers.IntegerField(read_only=True, help_text=_("Jumlah praktik yang terbit."))
    web_url = serializers.SerializerMethodField(help_text=_("Alamat profil instansi di portal."))

    class Meta:
        model = Agency
        fields = ["code", "name", "acronym", "kind", "region_code", "province_code", "practice_count", "web_url"]

    def get_region_code(self, agency: Agency) -> str:
        return agency.region.code if agency.region_id else ""

    def get_province_code(self, agency: Agency) -> str:
        region = agency.region
        if region is None:
            return ""
        return region.code if region.province_id is None else region.province.code

    def get_web_url(self, agency: Agency) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("agencies:detail", args=[agency.slug])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


def agency_api_list():
    """Active agencies with their number of published practices, by name then code (stable pages)."""
    return agency_list().annotate(practice_count=Count("practices", filter=Q(practices__status="published")))


@extend_schema_view(
    list=extend_schema(summary="Agencies (the public directory)"),
    retrieve=extend_schema(summary="One agency by its code"),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AgencySerializer
    filterset_class = AgencyFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9._-]{1,64}"

    def get_queryset(self):
        return agency_api_list().order_by("name", "code")


# People of the caller's agency (agency admins) -------------------------------------------------------------------

NOT_AN_ADMIN = _("Hanya admin instansi yang dapat mengelola orang di instansinya.")
PEOPLE_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input, or refused (e.g. the last admin)."),
    401: OpenApiResponse(ErrorSerializer, description="No or an invalid token."),
    403: OpenApiResponse(ErrorSerializer, description="The caller is not an agency admin."),
    404: OpenApiResponse(ErrorSerializer, description="Not a member or invitation of the caller's agency."),
    429: OpenApiResponse(ErrorSerializer, description="Too many invitations sent in the last hour."),
}


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    position = serializers.CharField(source="user.position", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "email", "full_name", "position", "role", "created_at"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text=_("pending atau expired (yang diterima/dibatalkan tidak tampil).")
    )

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "language", "state", "created_at", "expires_at", "sent_count", "last_sent_at"]
        read_only_fields = fields

    def get_state(self, invitation: Invitation) -> str:
        return invitation.state()


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Invitation.Role.choices, default=Invitation.Role.MEMBER)
    language = serializers.ChoiceField(choices=["id", "en"], required=False, help_text=_("Bahasa email undangan."))


def _send_limit(request) -> None:
    """The web pages' invitation limit, counted in the same window (fail closed: it sends emails)."""
    key = invitation_services.INVITATION_SEND_RATE_KEY
    rate = getattr(settings, "RATELIMIT_RATES", {}).get(key, invitation_services.INVITATION_SEND_RATE)
    allowed, retry_after = ratelimit_hit(key=key, rate=rate, request=request, fail_closed=True)
    if not allowed:
        raise exceptions.Throttled(wait=retry_after)


@extend_schema_view(
    list=extend_schema(summary="Members of the caller's agency", responses={200: MemberSerializer, **PEOPLE_ERRORS}),
    destroy=extend_schema(
        summary="Remove a member (the membership ends; their practices stay)", responses={204: None, **PEOPLE_ERRORS}
    ),
)
class MemberViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MemberSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model (ids are integers)
            return Membership.objects.none()
        return agency_members(agency=people_manage_require(user=self.request.user, message=NOT_AN_ADMIN))

    def destroy(self, request, pk=None):
        membership = membership_get_for_admin(user=request.user, pk=int(pk), message=NOT_AN_ADMIN)
        membership_end(membership_id=membership.pk, by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Open invitations of the caller's agency", responses={200: InvitationSerializer, **PEOPLE_ERRORS}
    ),
    create=extend_schema(
        summary="Invite someone into the caller's agency (an email with a 7-day, single-use link)",
        request=InvitationCreateSerializer,
        responses={201: InvitationSerializer, **PEOPLE_ERRORS},
    ),
    destroy=extend_schema(summary="Revoke an invitation", responses={204: None, **PEOPLE_ERRORS}),
)
class InvitationViewSet(IdempotentWritesMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = InvitationSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reads the model (ids are integers)
            return Invitation.objects.none()
        return agency_invitations_open(agency=people_manage_require(user=self.request.user, message=NOT_AN_ADMIN))

    def create(self, request):
        agency = people_manage_require(user=request.user, message=NOT_AN_ADMIN)
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _send_limit(request)
        data = serializer.validated_data
        invitation = invitation_services.invitation_create(
            email=data["email"],
            agency=agency,
            role=data["role"],
            by=request.user,
            language=data.get("language", ""),
            request=request,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def _managed(self, request, pk) -> Invitation:
        invitation = invitation_get_for_manager(user=request.user, pk=int(pk), message=NOT_AN_ADMIN)
        if invitation.agency_id is None:  # the ministry's invitations are not managed through this API
            raise exceptions.NotFound()
        return invitation

    def destroy(self, request, pk=None):
        invitation = self._managed(request, pk)
        invitation_services.invitation_revoke(invitation_id=invitation.pk, by=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Resend an invitation (a new link; the old one stops working)",
        request=None,
        responses={200: InvitationSerializer, **PEOPLE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, pk=None):
        invitation = self._managed(request, pk)
        _send_limit(request)
        invitation = invitation_services.invitation_resend(
            invitation_id=invitation.pk, by=request.user, request=request
        )
        return Response(InvitationSerializer(invitation).data)

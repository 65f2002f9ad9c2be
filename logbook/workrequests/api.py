from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from logbook.accounts.models import User
from logbook.core.api import (
    CleanModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    StrictCharField,
    read_input,
)
from logbook.maintenance.api import ReasonInput
from logbook.maintenance.choices import Priority
from logbook.workrequests import filtersets, services
from logbook.workrequests.models import WorkRequest


class WorkRequestSerializer(CleanModelSerializer):
    photo = serializers.SerializerMethodField()

    class Meta:
        model = WorkRequest
        fields = [
            "id",
            "equipment",
            "description",
            "urgency",
            "status",
            "photo",
            "requested_by",
            "requested_at",
            "work_order",
            "decline_reason",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = [
            "status",
            "requested_by",
            "requested_at",
            "work_order",
            "decline_reason",
            "decided_by",
            "decided_at",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_photo(self, record):
        """Where the photo is read (with the same rights as the request), or null."""
        if not record.photo:
            return None
        return reverse("workrequests:workrequest_photo", args=[record.pk])


class ConvertInput(serializers.Serializer):
    title = StrictCharField(required=False, allow_blank=True, max_length=160, default="")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_null=True)
    due_at = serializers.DateTimeField(required=False, allow_null=True)
    assigned_to = ScopedPrimaryKeyRelatedField(
        queryset=User.objects.all(), required=False, allow_null=True
    )


class WorkRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Work requests from the floor. Anyone may raise one and read their own; planners and
    supervisors read their sites' queue and answer each once: ``convert/`` raises the work
    order, ``decline/`` says why not."""

    queryset = WorkRequest.objects.select_related("equipment")
    serializer_class = WorkRequestSerializer
    filterset_class = filtersets.WorkRequestFilterSet
    action_permissions = {
        "convert": ["workrequests.review_workrequest"],
        "decline": ["workrequests.review_workrequest"],
    }

    def perform_create(self, serializer):
        serializer.instance = services.work_request_raise(
            user=self.request.user, **serializer.validated_data
        )

    def _answer(self, work_request):
        fresh = self.get_queryset().get(pk=work_request.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_200_OK)

    @extend_schema(request=ConvertInput, responses=WorkRequestSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Raise the corrective work order; the answer carries its id in ``work_order``."""
        work_request = self.get_object()
        data = ConvertInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = {key: value for key, value in data.validated_data.items() if value is not None}
        return self._answer(
            services.work_request_convert(work_request=work_request, user=request.user, **fields)
        )

    @extend_schema(request=ReasonInput, responses=WorkRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        work_request = self.get_object()
        return self._answer(
            services.work_request_decline(
                work_request=work_request, user=request.user, **read_input(ReasonInput, request)
            )
        )


ROUTES = [("work-requests", WorkRequestViewSet)]

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from logbook.core.api import CleanModelSerializer, RegisterViewSet, StrictCharField, read_input
from logbook.core.pagination import History
from logbook.downtime import filtersets, services
from logbook.downtime.models import DowntimeIncident, FailureCode, ReasonCode
from logbook.equipment.models import EquipmentEvent

INCIDENT_FIELDS = [
    "id",
    "equipment",
    "started_at",
    "responded_at",
    "repaired_at",
    "ended_at",
    "reason",
    "symptom",
    "cause",
    "action_taken",
    "failure_mode",
    "failure_mechanism",
    "failure_cause",
    "detection_method",
    "duration_minutes",
    "state",
    "reported_by",
    "closed_at",
    "closed_by",
    "source",
    "amends",
    "amend_reason",
    "created_at",
    "recorded_offline_at",
]


class ReasonCodeSerializer(CleanModelSerializer):
    class Meta:
        model = ReasonCode
        fields = ["id", "code", "name", "kind", "parent", "active"]


class FailureCodeSerializer(CleanModelSerializer):
    class Meta:
        model = FailureCode
        fields = ["id", "list", "code", "name", "active"]


class DowntimeIncidentSerializer(CleanModelSerializer):
    duration_minutes = serializers.IntegerField(read_only=True, allow_null=True)
    state = StrictCharField(read_only=True)
    # None on a stop the machine posted itself.
    reported_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DowntimeIncident
        fields = INCIDENT_FIELDS
        read_only_fields = [
            "closed_at",
            "closed_by",
            "amends",
            "amend_reason",
            "created_at",
            "recorded_offline_at",
        ]
        extra_kwargs = {"started_at": {"required": False}, "source": {"required": False}}

    def validate(self, attrs):
        # The services check the rules (stages in order, no overlap, closed ones locked).
        if self.instance is not None and "equipment" in attrs:
            if attrs["equipment"] != self.instance.equipment:
                raise serializers.ValidationError(
                    {"equipment": _("An incident stays on its equipment; record a new one.")}
                )
        return attrs


class IncidentCloseInput(serializers.Serializer):
    reason = serializers.PrimaryKeyRelatedField(queryset=ReasonCode.objects.filter(active=True))
    cause = StrictCharField()
    action_taken = StrictCharField()
    failure_mode = serializers.PrimaryKeyRelatedField(
        queryset=FailureCode.objects.all(), required=False, allow_null=True
    )
    failure_mechanism = serializers.PrimaryKeyRelatedField(
        queryset=FailureCode.objects.all(), required=False, allow_null=True
    )
    failure_cause = serializers.PrimaryKeyRelatedField(
        queryset=FailureCode.objects.all(), required=False, allow_null=True
    )
    detection_method = serializers.PrimaryKeyRelatedField(
        queryset=FailureCode.objects.all(), required=False, allow_null=True
    )


class AmendInput(serializers.Serializer):
    amend_reason = StrictCharField()
    started_at = serializers.DateTimeField(required=False)
    responded_at = serializers.DateTimeField(required=False, allow_null=True)
    repaired_at = serializers.DateTimeField(required=False, allow_null=True)
    ended_at = serializers.DateTimeField(required=False)
    reason = serializers.PrimaryKeyRelatedField(queryset=ReasonCode.objects.all(), required=False)
    cause = StrictCharField(required=False)
    action_taken = StrictCharField(required=False)
    symptom = StrictCharField(required=False, allow_blank=True)


class ClassifyInput(serializers.Serializer):
    incidents = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )
    reason = serializers.PrimaryKeyRelatedField(queryset=ReasonCode.objects.filter(active=True))


class ClassifiedSerializer(serializers.Serializer):
    classified = serializers.IntegerField()


class StageInput(serializers.Serializer):
    at = serializers.DateTimeField(required=False, allow_null=True)


class EquipmentEventSerializer(CleanModelSerializer):
    class Meta:
        model = EquipmentEvent
        fields = ["id", "equipment", "occurred_at", "code", "message", "source", "incident"]
        read_only_fields = ["incident"]
        extra_kwargs = {"source": {"required": False}}


class ReasonCodeViewSet(RegisterViewSet):
    queryset = ReasonCode.objects.all()
    serializer_class = ReasonCodeSerializer
    filterset_class = filtersets.ReasonCodeFilterSet


class FailureCodeViewSet(RegisterViewSet):
    queryset = FailureCode.objects.all()
    serializer_class = FailureCodeSerializer
    filterset_class = filtersets.FailureCodeFilterSet


class DowntimeIncidentViewSet(RegisterViewSet):
    """Stops of equipment. A machine may post one without a reason: it is listed to classify."""

    pagination_class = History
    queryset = DowntimeIncident.objects.select_related("reason")
    serializer_class = DowntimeIncidentSerializer
    filterset_class = filtersets.DowntimeFilterSet
    action_permissions = {
        "close": ["downtime.change_downtimeincident"],
        "amend": ["downtime.amend_downtimeincident"],
        "stage": ["downtime.change_downtimeincident"],
        "classify": ["downtime.change_downtimeincident"],
    }

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.incident_open(
            equipment=data.pop("equipment"), user=self.request.user, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("equipment", None)
        data.pop("source", None)
        serializer.instance = services.incident_update(
            incident=serializer.instance, user=self.request.user, **data
        )

    def _respond(self, incident, status=200):
        return Response(self.get_serializer(incident).data, status=status)

    @extend_schema(request=ClassifyInput, responses=ClassifiedSerializer)
    @action(detail=False, methods=["post"])
    def classify(self, request):
        """Give several stops of the user's sites one reason (each audited; none if one is
        closed or unknown)."""
        data = read_input(ClassifyInput, request)
        wanted = set(data["incidents"])
        incidents = self.get_queryset().filter(pk__in=wanted)
        if incidents.count() != len(wanted):
            raise serializers.ValidationError({"incidents": ["Unknown incidents."]})
        classified = services.incidents_classify(
            incidents=incidents, user=request.user, reason=data["reason"]
        )
        return Response({"classified": classified})

    @extend_schema(request=IncidentCloseInput, responses=DowntimeIncidentSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        incident = self.get_object()
        data = read_input(IncidentCloseInput, request)
        return self._respond(services.incident_close(incident=incident, user=request.user, **data))

    @extend_schema(request=AmendInput, responses={201: DowntimeIncidentSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        original = self.get_object()
        data = read_input(AmendInput, request)
        fields = dict(data)
        amendment = services.incident_amend(
            original=original,
            user=request.user,
            amend_reason=fields.pop("amend_reason"),
            **fields,
        )
        return self._respond(amendment, status=201)

    @extend_schema(
        operation_id="downtime_stage",
        request=StageInput,
        responses=DowntimeIncidentSerializer,
        parameters=[
            OpenApiParameter(
                "stage",
                str,
                OpenApiParameter.PATH,
                enum=["responded", "repaired", "ended"],
                description="technician on site, repair finished, or running again",
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path=r"(?P<stage>responded|repaired|ended)")
    def stage(self, request, pk=None, stage=None):
        incident = self.get_object()
        data = read_input(StageInput, request)
        return self._respond(
            services.incident_stage(
                incident=incident,
                user=request.user,
                stage=f"{stage}_at",
                at=data.get("at"),
            )
        )


class EquipmentEventViewSet(RegisterViewSet):
    """Alarms and errors a machine reports without stopping (posted, or imported)."""

    pagination_class = History
    queryset = EquipmentEvent.objects.all()
    serializer_class = EquipmentEventSerializer
    filterset_fields = {
        "equipment": ["exact"],
        "code": ["exact"],
        "occurred_at": ["gte", "lt"],
        "incident": ["exact"],
    }


ROUTES = [
    ("reason-codes", ReasonCodeViewSet),
    ("failure-codes", FailureCodeViewSet),
    ("downtime", DowntimeIncidentViewSet),
    ("equipment-events", EquipmentEventViewSet),
]

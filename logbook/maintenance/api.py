from decimal import Decimal

from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from logbook.accounts.models import Certification
from logbook.core.api import (
    AmendmentInput,
    AmendmentSerializer,
    CleanModelSerializer,
    RegisterViewSet,
    ScopedViewSetMixin,
    SignatureSerializer,
    StrictCharField,
    read_input,
)
from logbook.maintenance import filtersets, services
from logbook.maintenance.models import (
    ChecklistItem,
    ChecklistResult,
    IsolationPoint,
    MaintenanceSchedule,
    PartUsage,
    SparePart,
    WorkOrder,
)


class ChecklistItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "text", "kind", "unit", "lower_limit", "upper_limit"]
        read_only_fields = ["id"]


class ScheduleSerializer(CleanModelSerializer):
    checklist = ChecklistItemSerializer(many=True, required=False)
    interval = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))

    class Meta:
        model = MaintenanceSchedule
        fields = [
            "id",
            "equipment",
            "title",
            "interval",
            "interval_unit",
            "meter",
            "anchor",
            "anchor_date",
            "tolerance_days",
            "estimated_minutes",
            "lockout_required",
            "energy_sources",
            "required_class",
            "priority",
            "active",
            "checklist",
            "next_due",
            "last_done_on",
        ]
        read_only_fields = ["next_due", "last_done_on"]

    def validate(self, attrs):
        checklist = attrs.pop("checklist", None)
        attrs = super().validate(attrs)
        if checklist is not None:
            attrs["checklist"] = checklist
        return attrs

    def _save(self, instance, validated):
        checklist = validated.pop("checklist", None)
        for name, value in validated.items():
            setattr(instance, name, value)
        return services.schedule_save(schedule=instance, checklist=checklist)

    def create(self, validated_data):
        with transaction.atomic():
            return self._save(MaintenanceSchedule(), validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return self._save(instance, validated_data)


class ChecklistResultSerializer(serializers.ModelSerializer):
    out_of_limits = serializers.BooleanField(read_only=True)

    class Meta:
        model = ChecklistResult
        fields = [
            "id",
            "order",
            "text",
            "kind",
            "unit",
            "lower_limit",
            "upper_limit",
            "done",
            "value",
            "note",
            "out_of_limits",
        ]
        read_only_fields = fields


class IsolationPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = IsolationPoint
        fields = [
            "id",
            "work_order",
            "source",
            "lock_number",
            "tag_number",
            "applied_by",
            "applied_at",
            "removed_by",
            "removed_at",
        ]
        read_only_fields = fields


class PartUsageSerializer(serializers.ModelSerializer):
    class Meta:
        model = PartUsage
        fields = ["part", "quantity", "used_by", "used_at"]
        read_only_fields = fields


class WorkOrderSerializer(CleanModelSerializer):
    checklist = ChecklistResultSerializer(many=True, read_only=True)
    parts_used = PartUsageSerializer(many=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    signature = SignatureSerializer(read_only=True, allow_null=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    isolation_points = IsolationPointSerializer(many=True, read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "kind",
            "equipment",
            "schedule",
            "downtime_incident",
            "log_entry",
            "title",
            "description",
            "priority",
            "status",
            "due_at",
            "tolerance_days",
            "assigned_to",
            "lockout_required",
            "lockout_confirmed_at",
            "isolation_points",
            "startup_checked_at",
            "startup_checked_by",
            "findings",
            "labour_minutes",
            "started_at",
            "completed_at",
            "completed_by",
            "return_reason",
            "cancel_reason",
            "overdue",
            "checklist",
            "parts_used",
            "signature",
            "amendments",
        ]
        read_only_fields = [
            "kind",
            "schedule",
            "status",
            "tolerance_days",
            "lockout_required",
            "lockout_confirmed_at",
            "startup_checked_at",
            "startup_checked_by",
            "findings",
            "labour_minutes",
            "started_at",
            "completed_at",
            "completed_by",
            "return_reason",
            "cancel_reason",
        ]
        extra_kwargs = {"due_at": {"required": False}}
        # Uniqueness of (schedule, due date) is the generator's and the database's concern.
        validators = []

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, obj) -> bool:
        return obj.is_overdue

    def validate(self, attrs):
        return attrs  # the services hold the rules


class AnswerInput(serializers.Serializer):
    id = serializers.IntegerField()
    done = serializers.BooleanField(required=False, allow_null=True)
    value = serializers.DecimalField(
        max_digits=12, decimal_places=3, required=False, allow_null=True
    )
    note = StrictCharField(required=False, allow_blank=True)


class PartInput(serializers.Serializer):
    part = serializers.PrimaryKeyRelatedField(queryset=SparePart.objects.all())
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


class CompleteInput(serializers.Serializer):
    checklist = AnswerInput(many=True, required=False, default=list)
    parts_used = PartInput(many=True, required=False, default=list)
    findings = StrictCharField(required=False, allow_blank=True, default="")
    labour_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ChecklistInput(serializers.Serializer):
    checklist = AnswerInput(many=True)
    findings = StrictCharField(required=False, allow_blank=True)
    labour_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class LockInput(serializers.Serializer):
    source = StrictCharField(max_length=120)
    lock_number = StrictCharField(max_length=40)
    tag_number = StrictCharField(max_length=40, required=False, allow_blank=True, default="")


class LockoutInput(serializers.Serializer):
    points = LockInput(many=True, allow_empty=False)


class LockoutRemoveInput(serializers.Serializer):
    points = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)
    startup_checked = serializers.BooleanField(required=False, default=False)
    note = StrictCharField(required=False, allow_blank=True, default="")


class VerifyInput(serializers.Serializer):
    password = StrictCharField(style={"input_type": "password"})
    meaning = serializers.ChoiceField(choices=["reviewed", "approved"], default="reviewed")


class ReasonInput(serializers.Serializer):
    reason = StrictCharField()


class WorkOrderViewSet(RegisterViewSet):
    """Work orders. POST raises a corrective one; preventive ones come from the generator."""

    queryset = WorkOrder.objects.select_related(
        "equipment__line__area__site", "signature"
    ).prefetch_related("checklist", "parts_used", "amendments", "isolation_points")
    serializer_class = WorkOrderSerializer
    filterset_class = filtersets.WorkOrderFilterSet
    action_permissions = {
        "update": ["maintenance.plan_workorder"],
        "partial_update": ["maintenance.plan_workorder"],
        "start": ["maintenance.change_workorder"],
        "complete": ["maintenance.change_workorder"],
        "lockout": ["maintenance.change_workorder"],
        "lockout_remove": ["maintenance.change_workorder"],
        "checklist": ["maintenance.change_workorder"],
        "verify": ["maintenance.verify_workorder"],
        "reopen": ["maintenance.verify_workorder"],
        "cancel": ["maintenance.plan_workorder"],
        "amend": ["maintenance.add_workorderamendment"],
    }

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        for frozen in ("kind", "status"):
            data.pop(frozen, None)
        serializer.instance = services.work_order_create(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in ("title", "description", "priority", "due_at", "assigned_to")
        }
        serializer.instance = services.work_order_update(
            work_order=serializer.instance, user=self.request.user, **data
        )

    def _done(self, work_order):
        return Response(self.get_serializer(self.get_queryset().get(pk=work_order.pk)).data)

    @extend_schema(request=None, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._done(
            services.work_order_start(work_order=self.get_object(), user=request.user)
        )

    @extend_schema(request=LockoutInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def lockout(self, request, pk=None):
        """Isolate: each energy source with the lock (and tag) put on it."""
        work_order = self.get_object()
        return self._done(
            services.lockout_apply(
                work_order=work_order, user=request.user, **read_input(LockoutInput, request)
            )
        )

    @extend_schema(request=LockoutRemoveInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"], url_path="lockout-remove")
    def lockout_remove(self, request, pk=None):
        """Take locks off (their ids); with the last one, confirm the start-up check."""
        work_order = self.get_object()
        return self._done(
            services.lockout_remove(
                work_order=work_order, user=request.user, **read_input(LockoutRemoveInput, request)
            )
        )

    @extend_schema(request=ChecklistInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def checklist(self, request, pk=None):
        """Keep the checklist's answers given so far (completing checks they are all there)."""
        work_order = self.get_object()
        data = dict(read_input(ChecklistInput, request))
        results = data.pop("checklist")
        return self._done(
            services.checklist_save(
                work_order=work_order, user=request.user, results=results, **data
            )
        )

    @extend_schema(request=CompleteInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        work_order = self.get_object()  # another site's order is a 404 before any input check
        data = dict(read_input(CompleteInput, request))
        results = data.pop("checklist")
        return self._done(
            services.work_order_complete(
                work_order=work_order, user=request.user, results=results, **data
            )
        )

    @extend_schema(request=VerifyInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._done(
            services.work_order_verify(
                work_order=self.get_object(), user=request.user, **read_input(VerifyInput, request)
            )
        )

    @extend_schema(request=ReasonInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._done(
            services.work_order_send_back(
                work_order=self.get_object(), user=request.user, **read_input(ReasonInput, request)
            )
        )

    @extend_schema(request=ReasonInput, responses=WorkOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._done(
            services.work_order_cancel(
                work_order=self.get_object(), user=request.user, **read_input(ReasonInput, request)
            )
        )

    @extend_schema(request=AmendmentInput, responses={201: WorkOrderSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """A correction to a verified work order, kept beside it (the order does not change)."""
        work_order = self.get_object()
        services.work_order_amend(
            work_order=work_order, user=request.user, **read_input(AmendmentInput, request)
        )
        response = self._done(work_order)
        response.status_code = 201
        return response


class LockoutViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Locks put on for work orders; ``?active=true`` lists the ones on right now."""

    queryset = IsolationPoint.objects.select_related("work_order").order_by("-applied_at", "-pk")
    serializer_class = IsolationPointSerializer
    filterset_class = filtersets.IsolationPointFilterSet


class ScheduleViewSet(RegisterViewSet):
    queryset = MaintenanceSchedule.objects.select_related("meter").prefetch_related("checklist")
    serializer_class = ScheduleSerializer
    filterset_class = filtersets.ScheduleFilterSet


class SparePartSerializer(CleanModelSerializer):
    class Meta:
        model = SparePart
        fields = ["id", "part_number", "description", "unit", "stock", "reorder_point", "location"]


class SparePartViewSet(RegisterViewSet):
    queryset = SparePart.objects.all()
    serializer_class = SparePartSerializer
    filterset_class = filtersets.SparePartFilterSet


class CertificationSerializer(CleanModelSerializer):
    class Meta:
        model = Certification
        fields = ["id", "user", "equipment_class", "reference", "issued_on", "expires_on"]


class CertificationViewSet(RegisterViewSet):
    queryset = Certification.objects.all()
    serializer_class = CertificationSerializer
    filterset_class = filtersets.CertificationFilterSet


ROUTES = [
    ("schedules", ScheduleViewSet),
    ("work-orders", WorkOrderViewSet),
    ("lockouts", LockoutViewSet),
    ("spare-parts", SparePartViewSet),
    ("certifications", CertificationViewSet),
]

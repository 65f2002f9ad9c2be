from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from logbook.core.api import (
    CleanModelSerializer,
    RegisterViewSet,
    ScopedViewSetMixin,
    SignatureSerializer,
    StrictCharField,
    read_input,
)
from logbook.core.pagination import History
from logbook.shifts import filtersets, selectors, services
from logbook.shifts.choices import ShiftStatus
from logbook.shifts.models import (
    HandoverAnswer,
    HandoverItem,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
    ShiftPattern,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        "example": "06:00",
        "description": "Local wall-clock time of the site, HH:MM (seconds allowed, no zone).",
    }
)
class ClockTimeField(serializers.TimeField):
    """A shift pattern's local time: answered as HH:MM, taken as HH:MM or HH:MM:SS."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"], **kwargs)


class ShiftPatternSerializer(CleanModelSerializer):
    start_time = ClockTimeField()
    end_time = ClockTimeField()

    class Meta:
        model = ShiftPattern
        fields = ["id", "site", "name", "start_time", "end_time", "active"]


class HandoverSerializer(serializers.Serializer):
    summary = StrictCharField()
    handed_over_by = serializers.IntegerField(source="handed_over_by_id")
    handed_over_at = serializers.DateTimeField()
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class ShiftSerializer(CleanModelSerializer):
    duration_minutes = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=ShiftStatus.choices, read_only=True)
    signature = SignatureSerializer(read_only=True, allow_null=True)
    handover = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "line",
            "pattern",
            "date",
            "lead",
            "starts_at",
            "ends_at",
            "duration_minutes",
            "status",
            "signature",
            "handover",
        ]
        read_only_fields = ["starts_at", "ends_at"]

    def validate(self, attrs):
        # The window is computed by the service; model validation needs only the slot.
        return attrs

    @extend_schema_field(HandoverSerializer(allow_null=True))
    def get_handover(self, obj):
        handover = getattr(obj, "handover", None)
        return HandoverSerializer(handover).data if handover else None


class LogEntrySerializer(CleanModelSerializer):
    author = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = LogEntry
        fields = [
            "id",
            "shift",
            "occurred_at",
            "category",
            "equipment",
            "text",
            "amends",
            "amend_reason",
            "author",
            "created_at",
            "recorded_offline_at",
        ]
        read_only_fields = ["created_at", "recorded_offline_at"]
        extra_kwargs = {"occurred_at": {"required": False}}

    def validate(self, attrs):
        if self.instance is not None:
            for frozen in ("shift", "amends", "amend_reason"):
                if frozen in attrs and attrs[frozen] != getattr(self.instance, frozen):
                    raise serializers.ValidationError(
                        {frozen: _("This cannot change; add an amendment.")}
                    )
        return attrs


class ProductionRecordSerializer(CleanModelSerializer):
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ProductionRecord
        fields = [
            "id",
            "shift",
            "product",
            "produced_count",
            "good_count",
            "ideal_cycle_time_s",
            "planned_stop_minutes",
            "started_at",
            "from_machine",
            "machine_produced_count",
            "machine_good_count",
            "amends",
            "amend_reason",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["created_at", "machine_produced_count", "machine_good_count"]
        extra_kwargs = {
            # A product run that follows the machine takes its counts from it.
            "produced_count": {"required": False},
            "good_count": {"required": False},
        }

    def validate(self, attrs):
        if attrs.get("from_machine") and self.instance is None:
            attrs.setdefault("produced_count", 0)
            attrs.setdefault("good_count", 0)
        if self.instance is None:
            for name in ("produced_count", "good_count"):
                if name not in attrs:
                    raise serializers.ValidationError({name: _("This field is required.")})
        return LogEntrySerializer.validate(self, attrs)


class OpenItemSerializer(CleanModelSerializer):
    class Meta:
        model = OpenItem
        fields = [
            "id",
            "line",
            "raised_on",
            "raised_by",
            "text",
            "created_at",
            "closed_on",
            "closed_by",
            "closed_at",
            "closing_note",
        ]
        read_only_fields = fields


class HandoverItemSerializer(CleanModelSerializer):
    shift = serializers.IntegerField(source="handover.shift_id", read_only=True)

    class Meta:
        model = HandoverItem
        fields = [
            "id",
            "shift",
            "order",
            "topic",
            "text",
            "url",
            "open_item",
            "answer",
            "note",
            "answered_by",
            "answered_at",
            "question_item",
        ]
        read_only_fields = fields


class HandoverItemAnswerInput(serializers.Serializer):
    answer = serializers.ChoiceField(choices=HandoverAnswer.choices)
    note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)


class HandoverInput(serializers.Serializer):
    summary = StrictCharField(required=False, allow_blank=True, default="")
    open_items = serializers.ListField(child=StrictCharField(), required=False, default=list)


class SignOffInput(serializers.Serializer):
    password = StrictCharField(style={"input_type": "password"})
    meaning = serializers.ChoiceField(choices=["reviewed", "approved"])
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why sign now: required while the shift runs or its handover is not "
        "acknowledged; kept in the signature.",
    )


class OpenItemCloseInput(serializers.Serializer):
    shift = serializers.IntegerField(required=False, allow_null=True)
    note = StrictCharField(required=False, allow_blank=True, default="")


class ShiftPatternViewSet(RegisterViewSet):
    queryset = ShiftPattern.objects.select_related("site")
    serializer_class = ShiftPatternSerializer
    filterset_class = filtersets.ShiftPatternFilterSet


class ShiftViewSet(RegisterViewSet):
    """Shifts. Creating one starts it (its times come from the pattern in the site's zone)."""

    pagination_class = History
    queryset = selectors.shifts_with_joins()
    serializer_class = ShiftSerializer
    filterset_class = filtersets.ShiftFilterSet
    action_permissions = {
        "handover": ["shifts.add_handover"],
        "acknowledge": ["shifts.change_handover"],
        "sign_off": ["shifts.sign_shift"],
    }

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.shift_start(
            line=data["line"],
            pattern=data["pattern"],
            date=data["date"],
            user=self.request.user,
            lead=data.get("lead"),
        )

    def perform_update(self, serializer):
        serializer.instance = services.shift_update(
            shift=serializer.instance,
            user=self.request.user,
            lead=serializer.validated_data.get("lead", serializer.instance.lead),
        )

    def _respond(self, shift):
        shift = self.get_queryset().get(pk=shift.pk)
        return Response(ShiftSerializer(shift, context=self.get_serializer_context()).data)

    @extend_schema(request=HandoverInput, responses=ShiftSerializer)
    @action(detail=True, methods=["post"], url_path="handover")
    def handover(self, request, pk=None):
        shift = self.get_object()
        data = read_input(HandoverInput, request)
        services.shift_hand_over(shift=shift, user=request.user, **data)
        return self._respond(shift)

    @extend_schema(request=None, responses=ShiftSerializer)
    @action(detail=True, methods=["post"], url_path="acknowledge")
    def acknowledge(self, request, pk=None):
        shift = self.get_object()
        services.handover_acknowledge(shift=shift, user=request.user)
        return self._respond(shift)

    @extend_schema(request=SignOffInput, responses=ShiftSerializer)
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, pk=None):
        shift = self.get_object()
        services.shift_sign_off(shift=shift, user=request.user, **read_input(SignOffInput, request))
        return self._respond(shift)


def _editable(validated: dict) -> dict:
    """The fields an edit may change: not the shift, nor what an amendment points at."""
    return {k: v for k, v in validated.items() if k not in ("shift", "amends", "amend_reason")}


class ShiftRecordViewSet(RegisterViewSet, mixins.DestroyModelMixin):
    """Entries and counts: every write through the shift services (signed shifts refuse)."""


class LogEntryViewSet(ShiftRecordViewSet):
    pagination_class = History
    queryset = LogEntry.objects.select_related("shift")
    serializer_class = LogEntrySerializer
    filterset_class = filtersets.LogEntryFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.log_entry_add(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = _editable(serializer.validated_data)
        serializer.instance = services.log_entry_update(
            entry=serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.log_entry_delete(entry=instance, user=self.request.user)


class ProductionRecordViewSet(ShiftRecordViewSet):
    pagination_class = History
    queryset = ProductionRecord.objects.select_related("shift")
    serializer_class = ProductionRecordSerializer
    filterset_class = filtersets.ProductionRecordFilterSet

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.production_record_add(user=self.request.user, **data)

    def perform_update(self, serializer):
        data = _editable(serializer.validated_data)
        serializer.instance = services.production_record_update(
            record=serializer.instance, user=self.request.user, **data
        )

    def perform_destroy(self, instance):
        services.production_record_delete(record=instance, user=self.request.user)


class OpenItemViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Open items are raised by a handover; here they are listed and closed."""

    queryset = OpenItem.objects.all()
    serializer_class = OpenItemSerializer
    filterset_class = filtersets.OpenItemFilterSet
    action_permissions = {"close": ["shifts.change_openitem"]}

    @extend_schema(request=OpenItemCloseInput, responses=OpenItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        item = self.get_object()
        data = read_input(OpenItemCloseInput, request)
        shift = None
        if data.get("shift"):
            shift = Shift.objects.for_user(request.user).filter(pk=data["shift"]).first()
            if shift is None:
                return Response(
                    {"shift": ["No such shift on your sites."]}, status=status.HTTP_400_BAD_REQUEST
                )
        with transaction.atomic():
            item = services.open_item_close(
                item=item, user=request.user, shift=shift, note=data["note"]
            )
        return Response(OpenItemSerializer(item).data)


class HandoverItemViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """What a handover carried from the records; the incoming shift answers each item."""

    queryset = HandoverItem.objects.select_related("handover")
    serializer_class = HandoverItemSerializer
    filterset_class = filtersets.HandoverItemFilterSet
    action_permissions = {"answer": ["shifts.change_handover"]}

    @extend_schema(request=HandoverItemAnswerInput, responses=HandoverItemSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        item = services.handover_item_answer(
            item=self.get_object(),
            user=request.user,
            **read_input(HandoverItemAnswerInput, request),
        )
        return Response(HandoverItemSerializer(item).data)


ROUTES = [
    ("shift-patterns", ShiftPatternViewSet),
    ("shifts", ShiftViewSet),
    ("log-entries", LogEntryViewSet),
    ("production-records", ProductionRecordViewSet),
    ("open-items", OpenItemViewSet),
    ("handover-items", HandoverItemViewSet),
]

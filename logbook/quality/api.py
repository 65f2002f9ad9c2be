from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from logbook.core.api import (
    AmendmentInput,
    AmendmentSerializer,
    CleanModelSerializer,
    PasswordInput,
    RegisterViewSet,
    SignatureSerializer,
    StrictCharField,
    read_input,
)
from logbook.core.pagination import History
from logbook.quality import filtersets, services
from logbook.quality.choices import Disposition
from logbook.quality.models import (
    Characteristic,
    Inspection,
    InspectionPlan,
    Measurement,
    Nonconformance,
)


class CharacteristicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Characteristic
        fields = [
            "id",
            "order",
            "name",
            "kind",
            "nominal",
            "lsl",
            "usl",
            "unit",
            "decimals",
            "defect_types",
        ]
        read_only_fields = ["id"]


class InspectionPlanSerializer(CleanModelSerializer):
    characteristics = CharacteristicSerializer(many=True)

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "name",
            "product",
            "line",
            "version",
            "is_current",
            "family",
            "characteristics",
        ]
        read_only_fields = ["version", "is_current", "family"]

    def validate(self, attrs):
        return attrs  # the service checks the plan and its characteristics

    def _save(self, plan, data):
        rows = data.pop("characteristics", None)
        for name, value in data.items():
            setattr(plan, name, value)
        if rows is None:
            rows = list(plan.characteristics.values(*services.CHARACTERISTIC_FIELDS))
        return services.plan_save(
            plan=plan, user=self.context["request"].user, characteristics=rows
        )

    def create(self, validated_data):
        with transaction.atomic():
            return self._save(InspectionPlan(), validated_data)

    def update(self, instance, validated_data):
        with transaction.atomic():
            return self._save(instance, validated_data)


class MeasurementSerializer(serializers.ModelSerializer):
    value = StrictCharField(required=False, allow_null=True)
    passed = serializers.BooleanField(required=False, allow_null=True)

    class Meta:
        model = Measurement
        fields = ["characteristic", "value", "passed", "defect"]
        extra_kwargs = {"defect": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.value is not None:
            data["value"] = f"{instance.value:.{instance.characteristic.decimals}f}"
        return data


class InspectionSerializer(CleanModelSerializer):
    measurements = MeasurementSerializer(many=True)
    signature = SignatureSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "plan",
            "line",
            "shift",
            "batch",
            "sample",
            "inspector",
            "inspected_at",
            "verdict",
            "measurements",
            "signature",
        ]
        read_only_fields = ["line", "inspector", "verdict"]
        extra_kwargs = {"inspected_at": {"required": False}}

    def validate(self, attrs):
        return attrs

    def create(self, data):
        results = {}
        for row in data["measurements"]:
            characteristic = row["characteristic"]
            results[characteristic.pk] = (
                row.get("value")
                if characteristic.kind == "variable"
                else {"passed": row.get("passed"), "defect": row.get("defect", "")}
            )
        return services.inspection_record(
            plan=data["plan"],
            user=self.context["request"].user,
            batch=data.get("batch", ""),
            sample=data.get("sample", ""),
            results=results,
            shift=data.get("shift"),
            inspected_at=data.get("inspected_at"),
        )


class NonconformanceSerializer(CleanModelSerializer):
    signature = SignatureSerializer(read_only=True, allow_null=True)
    amendments = AmendmentSerializer(many=True, read_only=True)
    # "" until the product's fate is decided: the schema says so (a blank choice).
    disposition = serializers.ChoiceField(
        choices=Disposition.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Nonconformance
        fields = [
            "id",
            "inspection",
            "line",
            "title",
            "description",
            "batch",
            "quantity",
            "severity",
            "status",
            "containment",
            "disposition",
            "root_cause",
            "corrective_action",
            "preventive_action",
            "raised_by",
            "raised_at",
            "signature",
            "amendments",
        ]
        read_only_fields = ["status", "disposition", "raised_by", "raised_at"]

    def validate(self, attrs):
        return attrs

    def create(self, data):
        fields = {
            k: v
            for k, v in data.items()
            if k in ("title", "description", "batch", "quantity", "severity", "inspection")
        }
        return services.nonconformance_raise(
            user=self.context["request"].user, line=data["line"], **fields
        )

    def update(self, instance, data):
        data.pop("line", None)
        data.pop("inspection", None)
        return services.nonconformance_update(
            nc=instance, user=self.context["request"].user, **data
        )


class InspectionPlanViewSet(RegisterViewSet):
    queryset = InspectionPlan.objects.prefetch_related("characteristics")
    serializer_class = InspectionPlanSerializer
    filterset_class = filtersets.InspectionPlanFilterSet


class DispositionInput(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    containment = StrictCharField(required=False, allow_blank=True, default="")


class CloseInput(PasswordInput):
    root_cause = StrictCharField()
    corrective_action = StrictCharField()
    preventive_action = StrictCharField(required=False, allow_blank=True, default="")


class InspectionViewSet(RegisterViewSet):
    """Inspections are recorded, never edited: their verdict stands. Quality staff sign them."""

    pagination_class = History
    http_method_names = ["get", "post", "head", "options"]
    queryset = Inspection.objects.select_related("signature").prefetch_related(
        "measurements__characteristic"
    )
    serializer_class = InspectionSerializer
    filterset_class = filtersets.InspectionFilterSet
    action_permissions = {"sign": ["quality.change_inspection"]}

    @extend_schema(request=PasswordInput, responses=InspectionSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the inspection as reviewed (password re-entered); it never changes again."""
        inspection = services.inspection_sign(
            inspection=self.get_object(), user=request.user, **read_input(PasswordInput, request)
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data)


class NonconformanceViewSet(RegisterViewSet):
    """Nonconformances: raised, dispositioned, closed with a signature; then only amended."""

    queryset = Nonconformance.objects.select_related("signature").prefetch_related("amendments")
    serializer_class = NonconformanceSerializer
    filterset_class = filtersets.NonconformanceFilterSet
    action_permissions = {
        name: ["quality.close_nonconformance"] for name in ("disposition", "close", "amend")
    }

    def _respond(self, nc, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=nc.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    @extend_schema(request=DispositionInput, responses=NonconformanceSerializer)
    @action(detail=True, methods=["post"])
    def disposition(self, request, pk=None):
        """Decide what happens to the product: rework, scrap, use as is, return to supplier."""
        nc = services.nonconformance_disposition(
            nc=self.get_object(), user=request.user, **read_input(DispositionInput, request)
        )
        return self._respond(nc)

    @extend_schema(request=CloseInput, responses=NonconformanceSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close with root cause and actions, signed as approved (password re-entered)."""
        nc = services.nonconformance_close(
            nc=self.get_object(), user=request.user, **read_input(CloseInput, request)
        )
        return self._respond(nc)

    @extend_schema(request=AmendmentInput, responses={201: NonconformanceSerializer})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """A correction to a closed nonconformance, kept beside it."""
        nc = self.get_object()
        services.nonconformance_amend(
            nc=nc, user=request.user, **read_input(AmendmentInput, request)
        )
        return self._respond(nc, status.HTTP_201_CREATED)


ROUTES = [
    ("inspection-plans", InspectionPlanViewSet),
    ("inspections", InspectionViewSet),
    ("nonconformances", NonconformanceViewSet),
]

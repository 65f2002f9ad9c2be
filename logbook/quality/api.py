from django.db import transaction
from rest_framework import serializers

from logbook.core.api import CleanModelSerializer, RegisterViewSet
from logbook.quality import filtersets, services
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
    value = serializers.CharField(required=False, allow_null=True)
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


class InspectionViewSet(RegisterViewSet):
    """Inspections are recorded, never edited: their verdict stands."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Inspection.objects.prefetch_related("measurements__characteristic")
    serializer_class = InspectionSerializer
    filterset_class = filtersets.InspectionFilterSet


class NonconformanceViewSet(RegisterViewSet):
    queryset = Nonconformance.objects.all()
    serializer_class = NonconformanceSerializer
    filterset_class = filtersets.NonconformanceFilterSet


ROUTES = [
    ("inspection-plans", InspectionPlanViewSet),
    ("inspections", InspectionViewSet),
    ("nonconformances", NonconformanceViewSet),
]

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from logbook.core.api import CleanModelSerializer, RegisterViewSet, StrictCharField
from logbook.core.pagination import History
from logbook.downtime.selectors import with_downtime
from logbook.equipment import filtersets
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)
from logbook.equipment.selectors import meters_with_last_reading
from logbook.equipment.services import meter_reading_record, meter_reading_update, site_create


class SiteSerializer(CleanModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "timezone"]


class AreaSerializer(CleanModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "site", "name"]


class LineSerializer(CleanModelSerializer):
    class Meta:
        model = Line
        fields = ["id", "area", "name", "code", "oee_target"]


class EquipmentClassSerializer(CleanModelSerializer):
    class Meta:
        model = EquipmentClass
        fields = ["id", "code", "name", "description", "min_stop_seconds", "heartbeat_seconds"]


class EquipmentSerializer(CleanModelSerializer):
    url = serializers.SerializerMethodField()
    effective_status = StrictCharField(
        read_only=True, help_text="down while an open incident stops it or its machine"
    )
    down_since = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Equipment
        fields = [
            "id",
            "asset_tag",
            "name",
            "line",
            "parent",
            "equipment_class",
            "manufacturer",
            "model",
            "serial_number",
            "criticality",
            "status",
            "commissioned_on",
            "counts_line_output",
            "effective_status",
            "down_since",
            "url",
        ]

    @extend_schema_field(serializers.URLField())
    def get_url(self, obj) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class MeterSerializer(CleanModelSerializer):
    last_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True
    )
    last_taken_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Meter
        fields = ["id", "equipment", "name", "unit", "resets", "last_value", "last_taken_at"]


class MeterReadingSerializer(CleanModelSerializer):
    taken_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MeterReading
        fields = ["id", "meter", "value", "taken_at", "taken_by"]
        extra_kwargs = {"taken_at": {"required": False}}

    def validate(self, attrs):
        # The reader is whoever sends the request; the model's rules need to know it is set.
        if self.instance is None:
            attrs.setdefault("taken_by", self.context["request"].user)
        return super().validate(attrs)


class SiteViewSet(RegisterViewSet):
    queryset = Site.objects.all()
    serializer_class = SiteSerializer
    filterset_class = filtersets.SiteFilterSet

    def perform_create(self, serializer):
        serializer.instance = site_create(user=self.request.user, **serializer.validated_data)


class AreaViewSet(RegisterViewSet):
    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = filtersets.AreaFilterSet


class LineViewSet(RegisterViewSet):
    queryset = Line.objects.all()
    serializer_class = LineSerializer
    filterset_class = filtersets.LineFilterSet


class EquipmentClassViewSet(RegisterViewSet):
    queryset = EquipmentClass.objects.all()
    serializer_class = EquipmentClassSerializer
    filterset_class = filtersets.EquipmentClassFilterSet


class EquipmentViewSet(RegisterViewSet):
    queryset = with_downtime(Equipment.objects.all())
    serializer_class = EquipmentSerializer
    filterset_class = filtersets.EquipmentFilterSet


class MeterViewSet(RegisterViewSet):
    queryset = meters_with_last_reading()
    serializer_class = MeterSerializer
    filterset_class = filtersets.MeterFilterSet


class MeterReadingViewSet(RegisterViewSet):
    pagination_class = History
    queryset = MeterReading.objects.all()
    serializer_class = MeterReadingSerializer
    filterset_class = filtersets.MeterReadingFilterSet

    def perform_create(self, serializer):
        serializer.instance = meter_reading_record(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = meter_reading_update(
            reading=serializer.instance, **serializer.validated_data
        )


ROUTES = [
    ("sites", SiteViewSet),
    ("areas", AreaViewSet),
    ("lines", LineViewSet),
    ("equipment-classes", EquipmentClassViewSet),
    ("equipment", EquipmentViewSet),
    ("meters", MeterViewSet),
    ("meter-readings", MeterReadingViewSet),
]

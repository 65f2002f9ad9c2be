from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from logbook.equipment.models import Equipment, Line
from logbook.reports.api import parse_moment
from logbook.reports.forms import PeriodForm
from logbook.reports.reliability import reliability_table
from logbook.reports.selectors import reliability


def reliability_panel(request, *, equipment=None, line=None) -> dict:
    """Context for the reliability figures on an equipment or line page (period from ?period_*)."""
    site = (line or equipment.line).area.site
    form = PeriodForm(request.GET, zone=site.zone)
    start, end = form.period()
    return {
        "period_form": form,
        "reliability": reliability(start=start, end=end, equipment=equipment, line=line),
    }


class ReliabilitySerializer(serializers.Serializer):
    """Reliability figures in hours; MTBF and MTTR are null without failures."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    scheduled_hours = serializers.FloatField()
    failures = serializers.IntegerField()
    downtime_hours = serializers.FloatField()
    planned_downtime_hours = serializers.FloatField()
    unplanned_downtime_hours = serializers.FloatField()
    operating_hours = serializers.FloatField()
    mtbf_hours = serializers.FloatField(allow_null=True)
    mttr_hours = serializers.FloatField(allow_null=True)
    mttr_response_hours = serializers.FloatField(allow_null=True)
    mttr_repair_hours = serializers.FloatField(allow_null=True)
    mttr_restart_hours = serializers.FloatField(allow_null=True)
    availability = serializers.FloatField(allow_null=True)


class ReliabilityMonthSerializer(serializers.Serializer):
    month = serializers.DateField(source="key")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    scheduled_hours = serializers.FloatField()
    failures = serializers.IntegerField()
    operating_hours = serializers.FloatField()
    unplanned_downtime_hours = serializers.FloatField()
    mtbf_hours = serializers.FloatField(allow_null=True)
    mttr_hours = serializers.FloatField(allow_null=True)
    availability = serializers.FloatField(allow_null=True)


class ReliabilityReportSerializer(ReliabilitySerializer):
    rows = ReliabilityMonthSerializer(many=True, required=False, help_text="with group=month")


class ReliabilityAPIView(APIView):
    """Reliability of one equipment or one line over [start, end), in hours."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        description=(
            "Give exactly one of `equipment` and `line` (an id of the user's sites; another "
            "site's is 404), and `start` < `end`, both with their time zone. Hours; a figure "
            "without failures is null, not 0. Needs the downtime view permission (403)."
        ),
        parameters=[
            OpenApiParameter(
                "equipment", OpenApiTypes.INT, description="an equipment id (or give line)"
            ),
            OpenApiParameter("line", OpenApiTypes.INT, description="a line id (or give equipment)"),
            OpenApiParameter(
                "start", OpenApiTypes.DATETIME, required=True, description="with its zone (Z)"
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATETIME, required=True, description="after start, zoned"
            ),
            OpenApiParameter(
                "group", OpenApiTypes.STR, enum=["month"], description="rows per local month"
            ),
        ],
        responses=ReliabilityReportSerializer,
    )
    def get(self, request):
        if not request.user.has_perm("downtime.view_downtimeincident"):
            self.permission_denied(request, message="Your role does not include downtime.")
        params = request.query_params
        errors = {}
        start, end = (parse_moment(params, name, errors) for name in ("start", "end"))
        group = params.get("group") or None
        if group not in (None, "month"):
            errors["group"] = ["Choose month (or leave it out)."]
        if start and end and end <= start:
            errors["end"] = ["The end must come after the start."]
        if ("equipment" in params) == ("line" in params):
            errors["scope"] = ["Give either equipment=<id> or line=<id>."]
        for name in ("equipment", "line"):
            if name in params and not params[name].isdigit():
                errors[name] = ["An id is a whole number."]
        if errors:
            raise ValidationError(errors)
        scope = {}
        if "equipment" in params:
            scope["equipment"] = get_object_or_404(
                Equipment.objects.for_user(request.user).select_related("line__area"),
                pk=params["equipment"],
            )
        else:
            scope["line"] = get_object_or_404(
                Line.objects.for_user(request.user).select_related("area"), pk=params["line"]
            )
        figures = reliability(start=start, end=end, **scope)
        if group:
            figures["rows"] = reliability_table(start=start, end=end, by="month", **scope)
        return Response(ReliabilityReportSerializer(figures).data)

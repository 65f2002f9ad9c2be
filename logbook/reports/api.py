"""Read-only report endpoints under /api/reports/: the same figures as the dashboard.

Each takes a scope (``line=<id>`` or ``site=<id>``, of the user's sites: another site's is 404)
and a period ``start`` < ``end`` (ISO 8601 with the zone), and needs the view permission of the
records the figures come from (403 otherwise). Ratios are 0–1, unrounded, null where undefined.
"""

import datetime

from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from logbook.equipment.models import Line, Site
from logbook.reports.downtime import BY, pareto
from logbook.reports.maintenance import pm_compliance
from logbook.reports.oee import GROUPS, oee
from logbook.reports.quality import capability_table, first_pass_yield

EARLIEST = datetime.datetime(1950, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2150, 1, 1, tzinfo=datetime.UTC)
MAX_DAYS = {"day": 2 * 366, None: 10 * 366}


def parse_moment(params, name, errors):
    raw = params.get(name)
    try:
        value = parse_datetime(raw) if raw else None
    except ValueError:
        value = None
    if value is None:
        errors[name] = ["Give an ISO 8601 date and time, e.g. 2026-06-01T00:00:00Z."]
    elif value.tzinfo is None:
        errors[name] = ["Give the time zone too (Z or +02:00)."]
        value = None
    elif not EARLIEST <= value <= LATEST:
        errors[name] = ["Give a time between 1950 and 2150."]
        value = None
    return value


def report_request(request, *, choices=None, choice_name="group", default=None):
    """(scope, start, end, choice) from the query string, or a 400 that names every problem;
    scope is {"line": Line} or {"site": Site} of the user's sites (404 otherwise)."""
    params = request.query_params
    errors = {}
    start, end = (parse_moment(params, name, errors) for name in ("start", "end"))
    if start and end and end <= start:
        errors["end"] = ["The end must come after the start."]
    if ("line" in params) == ("site" in params):
        errors["scope"] = ["Give either line=<id> or site=<id>."]
    for name in ("line", "site"):
        if name in params and not params[name].isdigit():
            errors[name] = ["An id is a whole number."]
    choice = params.get(choice_name) or default
    if choices is not None and choice is not None and choice not in choices:
        errors[choice_name] = [f"Choose one of: {', '.join(choices)}."]
    if start and end and choice_name not in errors:
        limit = MAX_DAYS["day" if choice == "day" else None]
        if end - start > datetime.timedelta(days=limit):
            errors["end"] = [f"Choose a period of at most {limit} days for this report."]
    if errors:
        raise ValidationError(errors)
    if "line" in params:
        line = get_object_or_404(
            Line.objects.for_user(request.user).select_related("area__site"), pk=params["line"]
        )
        return {"line": line}, start, end, choice
    site = get_object_or_404(Site.objects.for_user(request.user), pk=params["site"])
    return {"site": site}, start, end, choice


def _scope_parameters(extra=()):
    return [
        OpenApiParameter("line", OpenApiTypes.INT, description="a line id (or give site)"),
        OpenApiParameter("site", OpenApiTypes.INT, description="a site id (or give line)"),
        OpenApiParameter(
            "start", OpenApiTypes.DATETIME, required=True, description="with its zone (Z)"
        ),
        OpenApiParameter(
            "end", OpenApiTypes.DATETIME, required=True, description="after start, zoned"
        ),
        *extra,
    ]


class ReportView(APIView):
    permission_classes = [IsAuthenticated]
    needs = ""  # the view permission of the records the report reads
    refusal = ""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm(self.needs):
            self.permission_denied(request, message=self.refusal)


def ratio(**kwargs):
    return serializers.FloatField(allow_null=True, **kwargs)


class OeeFiguresSerializer(serializers.Serializer):
    calendar_minutes = serializers.FloatField()
    shift_minutes = serializers.FloatField()
    planned_busy_minutes = serializers.FloatField()
    actual_production_minutes = serializers.FloatField()
    planned_downtime_minutes = serializers.FloatField()
    unplanned_downtime_minutes = serializers.FloatField()
    produced = serializers.FloatField(help_text="A shift partly in the period brings its share.")
    good = serializers.FloatField()
    availability = ratio()
    performance = ratio(help_text="As computed: above 1 when the ideal cycle time is wrong.")
    quality = ratio()
    oee = ratio()
    teep = ratio()


class OeeRowSerializer(OeeFiguresSerializer):
    key = serializers.CharField(help_text="The day or week (its Monday) or the shift pattern id.")
    label = serializers.CharField()


class OeeSerializer(OeeFiguresSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField(help_text="The period's end, or now if that comes first.")
    rows = OeeRowSerializer(many=True, required=False)


class OeeAPIView(ReportView):
    """OEE (availability × performance × quality) and TEEP over a period, ISO 22400-2."""

    needs = "shifts.view_productionrecord"
    refusal = "Your role does not include production records."

    @extend_schema(
        parameters=_scope_parameters(
            [
                OpenApiParameter(
                    "group", OpenApiTypes.STR, enum=list(GROUPS), description="rows per …"
                )
            ]
        ),
        responses=OeeSerializer,
    )
    def get(self, request):
        scope, start, end, group = report_request(request, choices=GROUPS)
        figures = oee(start=start, end=end, group=group, **scope)
        for row in figures.get("rows", []):
            row["key"] = str(row["key"])
        if not group:
            figures.pop("rows", None)
        return Response(OeeSerializer(figures).data)


class ParetoRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(allow_null=True, help_text="null: not classified yet")
    label = serializers.CharField()
    minutes = serializers.FloatField()
    count = serializers.IntegerField()
    cumulative_share = ratio()


class ParetoAPIView(ReportView):
    """Unplanned downtime (failures and unclassified stops) ranked, largest first."""

    needs = "downtime.view_downtimeincident"
    refusal = "Your role does not include downtime."

    @extend_schema(
        parameters=_scope_parameters(
            [OpenApiParameter("by", OpenApiTypes.STR, enum=list(BY), description="the ranking")]
        ),
        responses=ParetoRowSerializer(many=True),
    )
    def get(self, request):
        scope, start, end, by = report_request(
            request, choices=BY, choice_name="by", default="reason"
        )
        rows = pareto(start=start, end=end, by=by, **scope)
        return Response(ParetoRowSerializer(rows, many=True).data)


class ComplianceFiguresSerializer(serializers.Serializer):
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    early = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Window still open: not judged yet.")
    compliance = ratio(help_text="on_time / (due − pending)")


class ComplianceRowSerializer(ComplianceFiguresSerializer):
    month = serializers.DateField()


class ComplianceSerializer(ComplianceFiguresSerializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    rows = ComplianceRowSerializer(many=True)


class PmComplianceAPIView(ReportView):
    """PM compliance: preventive orders due in the period done inside their tolerance window."""

    needs = "maintenance.view_workorder"
    refusal = "Your role does not include work orders."

    @extend_schema(parameters=_scope_parameters(), responses=ComplianceSerializer)
    def get(self, request):
        scope, start, end, _choice = report_request(request)
        return Response(ComplianceSerializer(pm_compliance(start=start, end=end, **scope)).data)


class CapabilitySerializer(serializers.Serializer):
    characteristic = serializers.IntegerField()
    name = serializers.CharField()
    n = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)
    stdev_within = serializers.FloatField(allow_null=True)
    stdev_overall = serializers.FloatField(allow_null=True)
    cp = serializers.FloatField(allow_null=True)
    cpk = serializers.FloatField(allow_null=True)
    cpu = serializers.FloatField(allow_null=True)
    cpl = serializers.FloatField(allow_null=True)
    pp = serializers.FloatField(allow_null=True)
    ppk = serializers.FloatField(allow_null=True)
    below_target = serializers.BooleanField()


class QualitySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    inspections = serializers.IntegerField(help_text="Units inspected for the first time.")
    first_pass = serializers.IntegerField()
    first_pass_yield = ratio()
    characteristics = CapabilitySerializer(many=True)


class QualityAPIView(ReportView):
    """First-pass yield and the capability of each measured characteristic."""

    needs = "quality.view_inspection"
    refusal = "Your role does not include inspections."

    @extend_schema(parameters=_scope_parameters(), responses=QualitySerializer)
    def get(self, request):
        scope, start, end, _choice = report_request(request)
        figures = first_pass_yield(start=start, end=end, **scope)
        figures["characteristics"] = capability_table(start=start, end=end, **scope)
        return Response(QualitySerializer(figures).data)

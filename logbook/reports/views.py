from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tables2 import RequestConfig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from logbook.core.access import permission_required
from logbook.core.exports import export_response, is_export_format
from logbook.equipment.models import Equipment, Line
from logbook.reports import dashboard as dashboard_parts
from logbook.reports import tables
from logbook.reports.api import parse_moment
from logbook.reports.dashboard import ReportForm
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


EXPORTS = {
    # ?_table= name: (section, key of its rows, table class)
    "oee": ("oee", "trend_rows", tables.OeeTrendTable),
    "shifts": ("oee", "patterns", tables.ShiftPatternTable),
    "pareto": ("downtime", "rows", tables.ParetoTable),
    "signals": ("downtime", "signal_rows", tables.SignalLossTable),
    "reliability": ("reliability", "rows", tables.ReliabilityTable),
    "reliability_months": ("reliability", "monthly", tables.MonthlyReliabilityTable),
    "pm": ("maintenance", "exceptions", tables.PmExceptionTable),
    "defects": ("quality", "defects", tables.DefectTable),
    "capability": ("quality", "capability", tables.CapabilityTable),
}
# Each section needs the view permission of the records it is computed from.
SECTIONS = {
    "oee": "shifts.view_productionrecord",
    "downtime": "downtime.view_downtimeincident",
    "reliability": "downtime.view_downtimeincident",
    "maintenance": "maintenance.view_workorder",
    "quality": "quality.view_inspection",
}


@login_required
@permission_required("shifts.view_shift", raise_exception=True)
def dashboard(request):
    """The supervisor's dashboard: every KPI of a site or line over a period, drillable."""
    form = ReportForm(request.GET or None, user=request.user)
    context = {"title": _("Reports"), "form": form, "sections": {}}
    if not form.is_valid():
        status = 400 if request.GET else 200
        return render(request, "reports/dashboard.html", context, status=status)
    scope, site, start, end, label = form.resolve()
    now = timezone.now()
    links = dashboard_parts.Links(scope, site, start, end)
    user = request.user
    allowed = {name for name, perm in SECTIONS.items() if user.has_perm(perm)}
    sections = {}
    with timezone.override(site.zone):
        if "oee" in allowed:
            sections["oee"] = dashboard_parts.oee_section(scope, start, end, now, links)
        if "downtime" in allowed:
            by = form.cleaned_data.get("by") or "reason"
            sections["downtime"] = dashboard_parts.downtime_section(
                scope, start, end, now, links, by
            )
        if "reliability" in allowed:
            sections["reliability"] = dashboard_parts.reliability_section(
                scope, start, end, now, links
            )
        if "maintenance" in allowed:
            sections["maintenance"] = dashboard_parts.maintenance_section(
                scope, start, end, now, links
            )
        if "quality" in allowed:
            group = "day" if (end - start).days <= dashboard_parts.DAILY_UP_TO_DAYS else "week"
            sections["quality"] = dashboard_parts.quality_section(
                scope, start, end, now, links, group
            )
        attention = dashboard_parts.needs_attention(user, scope, links)
    built = {}
    for name, (section, key, table_class) in EXPORTS.items():
        if section in sections:
            table = table_class(sections[section][key], prefix=f"{name}-")
            RequestConfig(request, paginate=False).configure(table)
            built[name] = table
    export = request.GET.get("_export")
    if export:
        table = built.get(request.GET.get("_table", ""))
        if table is None or not is_export_format(export):
            return HttpResponseBadRequest(_("Choose a table of this page and csv or xlsx."))
        scope_code = scope["line"].code if "line" in scope else site.code
        stamp = f"{start.astimezone(site.zone):%Y%m%d}-{end.astimezone(site.zone):%Y%m%d}"
        name = f"{request.GET['_table']}-{scope_code}-{stamp}.{export}"
        return export_response(table, export, name)
    here = request.GET.copy()
    here.pop("_export", None)
    context.update(
        scope=scope,
        site=site,
        start=start,
        end=end,
        period_label=label,
        now=now,
        sections=sections,
        attention=attention,
        tables=built,
        query=here.urlencode(),
        zone=site.zone,
    )
    return render(request, "reports/dashboard.html", context)

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import CreateView

from logbook.core.pagination import CappedPaginator
from logbook.core.views import (
    InvalidFormStatusMixin,
    ModelPermissionMixin,
    ObjectCreateView,
    ObjectDetailView,
    ObjectListView,
    ObjectUpdateView,
)
from logbook.downtime.selectors import down_now_panel, open_incidents_for, with_downtime
from logbook.equipment import filtersets, forms, tables
from logbook.equipment.models import (
    Area,
    Equipment,
    EquipmentClass,
    Line,
    Meter,
    MeterReading,
    Site,
)
from logbook.equipment.qr import qr_svg
from logbook.equipment.selectors import meters_with_last_reading
from logbook.equipment.services import meter_reading_record, site_create
from logbook.maintenance.models import IsolationPoint
from logbook.maintenance.selectors import active_lockouts, locked_out, work_order_joins
from logbook.reports.views import reliability_panel
from logbook.telemetry.selectors import machine_signal
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest

# Sites ---------------------------------------------------------------------------------------


class SiteListView(ObjectListView):
    model = Site
    queryset = Site.objects.annotate(area_count=Count("areas")).order_by("code")
    table_class = tables.SiteTable
    filterset_class = filtersets.SiteFilterSet


class SiteDetailView(ObjectDetailView):
    model = Site
    template_name = "equipment/site_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["areas"] = self.object.areas.prefetch_related("lines").annotate(
            line_count=Count("lines")
        )
        return context


class SiteCreateView(ObjectCreateView):
    model = Site
    form_class = forms.SiteForm

    def form_valid(self, form):
        self.object = site_create(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, _("Saved %(object)s.") % {"object": self.object})
        return redirect(self.object)


class SiteUpdateView(ObjectUpdateView):
    model = Site
    form_class = forms.SiteForm


# Areas ---------------------------------------------------------------------------------------


class AreaListView(ObjectListView):
    model = Area
    queryset = Area.objects.select_related("site")
    table_class = tables.AreaTable
    filterset_class = filtersets.AreaFilterSet


class AreaDetailView(ObjectDetailView):
    model = Area
    queryset = Area.objects.select_related("site")
    template_name = "equipment/area_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lines"] = self.object.lines.annotate(equipment_count=Count("equipment"))
        return context


class AreaCreateView(ObjectCreateView):
    model = Area
    form_class = forms.AreaForm


class AreaUpdateView(ObjectUpdateView):
    model = Area
    form_class = forms.AreaForm


# Lines ---------------------------------------------------------------------------------------


class LineListView(ObjectListView):
    model = Line
    queryset = (
        Line.objects.select_related("area__site")
        .annotate(equipment_count=Count("equipment"))
        .order_by("area__site__code", "code")
    )
    table_class = tables.LineTable
    filterset_class = filtersets.LineFilterSet


LINE_CARDS = 48  # machines shown on a line's page at once


class LineDetailView(ObjectDetailView):
    model = Line
    queryset = Line.objects.select_related("area__site")
    template_name = "equipment/line_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = self.object
        # A line of a big plant holds hundreds of machines and their parts: the cards come a
        # page at a time (the whole line is one click away as a table), so the page costs the
        # same whatever the register's size.
        machines = with_downtime(
            line.equipment.select_related("equipment_class", "parent")
        ).annotate(locked_out=locked_out("pk"))
        page = CappedPaginator(machines, LINE_CARDS).get_page(self.request.GET.get("page"))
        context["equipment"] = page
        context["equipment_page"] = page
        # A lock on any of the line's machines shows to everyone, with whose it is.
        context["lockouts"] = active_lockouts(
            queryset=IsolationPoint.objects.filter(work_order__equipment__line=line)
        )
        if self.request.user.has_perm("downtime.view_downtimeincident"):
            context.update(down_now_panel(self.request.user, line_id=line.pk))
            context.update(reliability_panel(self.request, line=line))
        return context


class LineCreateView(ObjectCreateView):
    model = Line
    form_class = forms.LineForm


class LineUpdateView(ObjectUpdateView):
    model = Line
    form_class = forms.LineForm


# Equipment classes ---------------------------------------------------------------------------


class EquipmentClassListView(ObjectListView):
    model = EquipmentClass
    queryset = EquipmentClass.objects.annotate(equipment_count=Count("equipment")).order_by("name")
    table_class = tables.EquipmentClassTable
    filterset_class = filtersets.EquipmentClassFilterSet


class EquipmentClassDetailView(ObjectDetailView):
    model = EquipmentClass
    template_name = "equipment/equipmentclass_detail.html"


class EquipmentClassCreateView(ObjectCreateView):
    model = EquipmentClass
    form_class = forms.EquipmentClassForm


class EquipmentClassUpdateView(ObjectUpdateView):
    model = EquipmentClass
    form_class = forms.EquipmentClassForm


# Equipment -----------------------------------------------------------------------------------

EQUIPMENT_JOINS = ("line__area__site", "equipment_class", "parent")


class EquipmentListView(ObjectListView):
    model = Equipment
    queryset = with_downtime(Equipment.objects.select_related(*EQUIPMENT_JOINS))
    table_class = tables.EquipmentTable
    filterset_class = filtersets.EquipmentFilterSet

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_links"] = [
            (_("Meters"), reverse("equipment:meter_list")),
            (_("Classes"), reverse("equipment:equipmentclass_list")),
            (_("Sites"), reverse("equipment:site_list")),
        ]
        return context


class EquipmentDetailView(ObjectDetailView):
    model = Equipment
    queryset = with_downtime(Equipment.objects.select_related(*EQUIPMENT_JOINS))
    template_name = "equipment/equipment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        equipment = self.object
        user = self.request.user
        url = self.request.build_absolute_uri(equipment.get_card_url())
        context.update(
            qr=qr_svg(url, title=equipment.asset_tag),
            qr_url=url,
            components=with_downtime(equipment.components.select_related("equipment_class")),
            meters=meters_with_last_reading(equipment.meters.all()),
            can_read_meters=user.has_perm("equipment.add_meterreading"),
            can_add_meter=user.has_perm("equipment.add_meter"),
            signal=machine_signal(equipment),
        )
        if user.has_perm("downtime.view_downtimeincident"):
            context.update(
                open_incident=equipment.downtime_incidents.filter(ended_at__isnull=True).first(),
                incidents=equipment.downtime_incidents.current()
                .select_related("reason")
                .order_by("-started_at")[:10],
                events=equipment.events.all()[:20],
                **reliability_panel(self.request, equipment=equipment),
            )
        if user.has_perm("maintenance.view_workorder"):
            context.update(
                work_orders=list(
                    work_order_joins(equipment.work_orders.active()).order_by("due_at")[:10]
                ),
                schedules=equipment.schedules.filter(active=True).select_related("meter"),
            )
        return context


class EquipmentCardView(ObjectDetailView):
    """The machine's floor card, which its QR label opens: running or down (since when), a
    lockout applied right now, next PM, open work, the last log entries, and the big buttons
    of the floor. Each part shows to those who may read it; a lockout shows to everyone."""

    model = Equipment
    queryset = with_downtime(Equipment.objects.select_related(*EQUIPMENT_JOINS))
    template_name = "equipment/equipment_card.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        equipment, user = self.object, self.request.user
        context["lockouts"] = active_lockouts(equipment=equipment)
        if user.has_perm("downtime.view_downtimeincident") and equipment.down_since:
            context["open_incident"] = open_incidents_for(user, equipment=equipment).first()
        if user.has_perm("maintenance.view_workorder"):
            context["work_orders"] = list(
                work_order_joins(equipment.work_orders.active()).order_by("due_at")[:5]
            )
            context["next_pm"] = (
                equipment.schedules.filter(active=True, next_due__isnull=False)
                .order_by("next_due")
                .first()
            )
        if user.has_perm("shifts.view_logentry"):
            context["entries"] = list(
                equipment.log_entries.current()
                .select_related("author")
                .order_by("-occurred_at", "-pk")[:5]
            )
        if user.has_perm("shifts.view_openitem"):
            context["open_items"] = list(
                equipment.line.open_items.filter(closed_at__isnull=True).order_by("created_at")[:5]
            )
        if user.has_perm("workrequests.view_workrequest"):
            context["requests"] = list(
                WorkRequest.objects.for_user(user)
                .filter(equipment=equipment, status=RequestStatus.OPEN)
                .select_related("requested_by")[:5]
            )
        return context


class EquipmentLabelView(ObjectDetailView):
    """A printable label: QR code, asset tag and name, sized for a label printer."""

    model = Equipment
    queryset = Equipment.objects.select_related("line__area__site")
    template_name = "equipment/equipment_label.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        url = self.request.build_absolute_uri(self.object.get_card_url())
        context.update(qr=qr_svg(url, title=self.object.asset_tag), qr_url=url)
        return context


class EquipmentCreateView(ObjectCreateView):
    model = Equipment
    form_class = forms.EquipmentForm

    def get_initial(self):
        initial = super().get_initial()
        line, parent = self.request.GET.get("line", ""), self.request.GET.get("parent", "")
        if line.isdigit():
            initial["line"] = line
        if parent.isdigit():
            initial["parent"] = (
                Equipment.objects.for_user(self.request.user).filter(pk=parent).first()
            )
        return initial


class EquipmentUpdateView(ObjectUpdateView):
    model = Equipment
    form_class = forms.EquipmentForm


# Meters and readings -------------------------------------------------------------------------


class MeterListView(ObjectListView):
    model = Meter
    queryset = meters_with_last_reading(Meter.objects.select_related("equipment"))
    table_class = tables.MeterTable
    filterset_class = filtersets.MeterFilterSet


class MeterDetailView(ObjectDetailView):
    model = Meter
    queryset = Meter.objects.select_related("equipment__line__area__site")
    template_name = "equipment/meter_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        readings = self.object.readings.select_related("taken_by")
        table = tables.MeterReadingTable(readings, orderable=False)
        table.paginate(page=self.request.GET.get("page", 1), per_page=25)
        context["readings_table"] = table
        if self.request.user.has_perm("equipment.add_meterreading"):
            context["reading_form"] = forms.MeterReadingForm(
                user=self.request.user, meter=self.object
            )
        return context


class MeterCreateView(ObjectCreateView):
    model = Meter
    form_class = forms.MeterForm

    def get_initial(self):
        initial = super().get_initial()
        equipment = self.request.GET.get("equipment", "")
        if equipment.isdigit():
            initial["equipment"] = (
                Equipment.objects.for_user(self.request.user).filter(pk=equipment).first()
            )
        return initial


class MeterUpdateView(ObjectUpdateView):
    model = Meter
    form_class = forms.MeterForm


class MeterReadingCreateView(ModelPermissionMixin, InvalidFormStatusMixin, CreateView):
    """Record a reading of one meter; the service refuses a non-resetting meter going down."""

    model = MeterReading
    permission_action = "add"
    form_class = forms.MeterReadingForm
    template_name = "equipment/meterreading_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.meter = get_object_or_404(
            Meter.objects.for_user(request.user).select_related("equipment__line__area__site"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "meter": self.meter}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["meter"] = self.meter
        context["last_reading"] = self.meter.readings.first()
        return context

    def form_valid(self, form):
        try:
            reading = meter_reading_record(
                meter=self.meter,
                value=form.cleaned_data["value"],
                taken_at=form.cleaned_data.get("taken_at"),
                taken_by=self.request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Recorded %(value)s %(unit)s on %(meter)s.")
            % {"value": reading.value, "unit": self.meter.unit, "meter": self.meter},
        )
        return redirect(self.meter.equipment)

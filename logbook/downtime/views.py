import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from logbook.core.access import permission_required
from logbook.core.views import ObjectListView, form_status, photo_response, posted, submit
from logbook.downtime import filtersets, forms, selectors, services, tables
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Equipment, Line
from logbook.equipment.selectors import machines_to_pick
from logbook.maintenance.selectors import locked_out, work_order_joins
from logbook.shifts.models import LogEntry

JOINS = (
    "equipment__line__area__site",
    "reason__parent",
    "reported_by",
    "closed_by",
    "failure_mode",
    "failure_mechanism",
    "failure_cause",
    "detection_method",
    "amends",
    "amended_by",
)
# How much of the line's log around an incident its page shows.
LOG_MARGIN = datetime.timedelta(hours=1)


def _incident(request, pk) -> DowntimeIncident:
    return get_object_or_404(
        DowntimeIncident.objects.for_user(request.user).select_related(*JOINS), pk=pk
    )


class IncidentListView(ObjectListView):
    model = DowntimeIncident
    queryset = DowntimeIncident.objects.current().select_related(
        "equipment__line__area__site", "reason"
    )
    table_class = tables.IncidentTable
    filterset_class = filtersets.DowntimeFilterSet
    add_view = "downtime:incident_add"
    add_label = gettext_lazy("Machine down")
    add_danger = True

    def get_queryset(self):
        queryset = super().get_queryset()
        if self._export_format():
            return queryset
        return queryset.annotate(locked_out=locked_out())

    def get_table(self, **kwargs):
        # The tick boxes of the classify-at-once form, for those who may classify.
        if not self.request.user.has_perm("downtime.change_downtimeincident"):
            kwargs["exclude"] = ("pick",)
        return super().get_table(**kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Downtime")
        if "count_text" in context:
            # The filtered stops' downtime, when they are few enough to have been counted.
            context["totals"] = selectors.total_minutes_text(self.object_list)
        if self.request.user.has_perm("downtime.change_downtimeincident"):
            context["classify_form"] = forms.ClassifyForm()
        return context


@login_required
@permission_required("downtime.change_downtimeincident", raise_exception=True)
@require_POST
def incidents_classify(request):
    """Several ticked stops of the list get one reason (the list's classify-at-once form)."""
    form = forms.ClassifyForm(request.POST)
    ids = [pk for pk in request.POST.getlist("incident") if pk.isdigit()]
    incidents = DowntimeIncident.objects.for_user(request.user).filter(pk__in=ids)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("downtime:incident_list")
    classified = submit(
        request,
        form,
        lambda data: services.incidents_classify(
            incidents=incidents, user=request.user, reason=data["reason"]
        ),
    )
    if classified:
        messages.success(
            request,
            ngettext("%(n)s stop classified.", "%(n)s stops classified.", classified)
            % {"n": classified},
        )
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect(back)


def _new_page(request, form, status=200):
    line = None
    equipment = form.initial.get("equipment") if not form.is_bound else None
    if isinstance(equipment, Equipment):
        line = equipment.line
    elif request.GET.get("line", "").isdigit():
        line = Line.objects.for_user(request.user).filter(pk=request.GET["line"]).first()
    line = line or request.user.home_line
    return render(
        request,
        "downtime/incident_new.html",
        {"form": form, "machines": machines_to_pick(line), "line": line},
        status=status,
    )


@login_required
@permission_required("downtime.add_downtimeincident", raise_exception=True)
def incident_new(request):
    """Machine down: equipment, since when (now), what was seen. One screen, a few taps."""
    if request.method != "POST":
        initial = {}
        if request.GET.get("equipment", "").isdigit():
            initial["equipment"] = (
                Equipment.objects.for_user(request.user)
                .select_related("line")
                .filter(pk=request.GET["equipment"])
                .first()
            )
        return _new_page(request, forms.IncidentOpenForm(user=request.user, initial=initial))
    form = forms.IncidentOpenForm(request.POST, request.FILES, user=request.user)
    incident = submit(
        request,
        form,
        lambda data: services.incident_open(
            equipment=data["equipment"],
            user=request.user,
            started_at=data["started_at"],
            symptom=data["symptom"],
            photo=data.get("photo") or "",
        ),
    )
    if not incident:
        return _new_page(request, form, status=400)
    messages.success(
        request,
        _("%(tag)s is down since %(time)s.")
        % {
            "tag": incident.equipment.asset_tag,
            "time": timezone.localtime(
                incident.started_at, incident.equipment.line.area.site.zone
            ).strftime("%H:%M"),
        },
    )
    return redirect(incident)


@login_required
@permission_required("downtime.view_downtimeincident", raise_exception=True)
def ongoing(request):
    """The "Down now" list of the home page (or of one line's page, ``?line=<id>``), on its
    own: the pages fetch it again every few seconds, so a stop a machine posts shows up
    without a reload."""
    line = request.GET.get("line", "")
    if line and not line.isdigit():
        return HttpResponseBadRequest(_("A line is named by its id."))
    return render(
        request,
        "downtime/_ongoing.html",
        selectors.down_now_panel(request.user, line_id=int(line) if line else None),
    )


@login_required
@permission_required("downtime.view_downtimeincident", raise_exception=True)
def incident_detail(request, pk, close_form=None, status=200):
    incident = _incident(request, pk)
    user = request.user
    margin_start = incident.started_at - LOG_MARGIN
    margin_end = (incident.ended_at or timezone.now()) + LOG_MARGIN
    context = {
        "incident": incident,
        "zone": incident.equipment.line.area.site.timezone,
        "stages": incident.stage_minutes(),
        "log": LogEntry.objects.filter(
            shift__line_id=incident.equipment.line_id,
            occurred_at__gte=margin_start,
            occurred_at__lte=margin_end,
        )
        .select_related("author", "equipment", "shift__pattern")
        .order_by("occurred_at"),
        "can_change": user.has_perm("downtime.change_downtimeincident")
        and incident.closed_at is None,
        "can_amend": user.has_perm("downtime.amend_downtimeincident")
        and incident.closed_at is not None
        and not hasattr(incident, "amended_by"),
        "can_audit": user.has_perm("accounts.view_audit_trail"),
        "stage_form": forms.StageForm(),
        "work_orders": list(work_order_joins(incident.work_orders.all())),
        "alarms": list(incident.events.all()[:50]),
    }
    if context["can_change"] and incident.ended_at is not None:
        context["close_form"] = close_form or forms.IncidentCloseForm(instance=incident)
    if incident.amends_id is None and hasattr(incident, "amended_by"):
        context["superseded_by"] = incident.amended_by
    return render(request, "downtime/incident_detail.html", context, status=status)


@login_required
@permission_required("downtime.change_downtimeincident", raise_exception=True)
@require_POST
def incident_stage(request, pk, stage):
    incident = _incident(request, pk)
    form = forms.StageForm(request.POST)
    if not form.is_valid():
        return render(
            request, "shifts/refused.html", {"errors": [_("That time is not valid.")]}, status=400
        )
    try:
        services.incident_stage(
            incident=incident, user=request.user, stage=f"{stage}_at", at=form.cleaned_data["at"]
        )
    except ValidationError as error:
        return render(
            request,
            "downtime/refused.html",
            {"incident": incident, "errors": error.messages},
            status=400,
        )
    labels = {
        "responded": _("Technician on site."),
        "repaired": _("Repair finished."),
        "ended": _("Running again."),
    }
    messages.success(request, labels[stage])
    return redirect(incident)


@login_required
@permission_required("downtime.change_downtimeincident", raise_exception=True)
@require_POST
def incident_close(request, pk):
    incident = _incident(request, pk)
    form = forms.IncidentCloseForm(request.POST, instance=incident)
    if submit(
        request,
        form,
        lambda data: services.incident_close(
            incident=incident,
            user=request.user,
            **{name: data[name] for name in forms.CLASSIFICATION},
        ),
    ):
        messages.success(request, _("Incident classified and closed."))
        return redirect(incident)
    incident.refresh_from_db()
    return incident_detail(request, pk, close_form=form, status=400)


def _edit_page(request, incident, form, title, status=200):
    return render(
        request,
        "downtime/incident_form.html",
        {
            "incident": incident,
            "form": form,
            "title": title,
            "zone": incident.equipment.line.area.site.timezone,
        },
        status=status,
    )


@login_required
@permission_required("downtime.change_downtimeincident", raise_exception=True)
def incident_edit(request, pk):
    incident = _incident(request, pk)
    services.refuse_if_closed(incident)  # a closed incident answers 409: amend it instead
    title = _("Edit incident")
    form = forms.IncidentEditForm(posted(request), request.FILES or None, instance=incident)
    if submit(
        request,
        form,
        lambda data: services.incident_update(incident=incident, user=request.user, **data),
    ):
        messages.success(request, _("Incident saved."))
        return redirect(incident)
    return _edit_page(request, incident, form, title, status=form_status(form))


@login_required
@permission_required("downtime.amend_downtimeincident", raise_exception=True)
def incident_amend(request, pk):
    original = _incident(request, pk)
    title = _("Amend a closed incident")
    if request.method != "POST":
        return _edit_page(request, original, forms.IncidentAmendForm(instance=original), title)
    form = forms.IncidentAmendForm(request.POST, request.FILES, instance=original)
    # The original must stay as it was: validate on a copy.
    form.instance = DowntimeIncident.objects.get(pk=original.pk)
    amendment = submit(
        request,
        form,
        lambda data: services.incident_amend(original=original, user=request.user, **data),
    )
    if not amendment:
        return _edit_page(request, original, form, title, status=400)
    messages.success(request, _("Amendment recorded; the original stays visible."))
    return redirect(amendment)


@login_required
@permission_required("downtime.view_downtimeincident", raise_exception=True)
def incident_photo(request, pk):
    """The photo, to the incident's site only (plant photos are not public files)."""
    incident = _incident(request, pk)
    return photo_response(incident.photo)

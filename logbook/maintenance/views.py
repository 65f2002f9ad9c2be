import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from logbook.accounts.models import Certification
from logbook.core.access import permission_required
from logbook.core.forms import AmendmentForm, SignatureForm
from logbook.core.versions import editing
from logbook.core.views import (
    ObjectCreateView,
    ObjectListView,
    ObjectUpdateView,
    form_status,
    posted,
    submit,
)
from logbook.downtime.models import DowntimeIncident
from logbook.equipment.models import Equipment
from logbook.maintenance import filtersets, forms, selectors, services, tables
from logbook.maintenance.choices import ACTIVE_STATUSES, WorkOrderStatus
from logbook.maintenance.models import IsolationPoint, MaintenanceSchedule, SparePart, WorkOrder
from logbook.shifts.models import LogEntry

PLAN_WEEKS = 4


# Lists ---------------------------------------------------------------------------------------


class WorkOrderListView(ObjectListView):
    model = WorkOrder
    queryset = selectors.work_order_joins()
    table_class = tables.WorkOrderTable
    filterset_class = filtersets.WorkOrderFilterSet
    add_label = gettext_lazy("Raise a work order")

    def get_filterset_kwargs(self, filterset_class):
        # The page opens on the open work, not on years of verified history (?show=all).
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs["data"] or QueryDict()).copy()
        data.setdefault("show", "open")
        return {**kwargs, "data": data}


class ScheduleListView(ObjectListView):
    model = MaintenanceSchedule
    queryset = MaintenanceSchedule.objects.select_related("equipment__line__area__site", "meter")
    table_class = tables.ScheduleTable
    filterset_class = filtersets.ScheduleFilterSet
    add_view = "maintenance:schedule_add"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_links"] = [(_("Plan"), reverse("maintenance:plan"))]
        return context


class SparePartListView(ObjectListView):
    model = SparePart
    queryset = SparePart.objects.all()
    table_class = tables.SparePartTable
    filterset_class = filtersets.SparePartFilterSet


class SparePartCreateView(ObjectCreateView):
    model = SparePart
    form_class = forms.SparePartForm

    def get_success_url(self):
        return reverse("maintenance:sparepart_list")


class SparePartUpdateView(ObjectUpdateView):
    model = SparePart
    form_class = forms.SparePartForm

    def get_success_url(self):
        return reverse("maintenance:sparepart_list")


class CertificationListView(ObjectListView):
    model = Certification
    queryset = Certification.objects.select_related("user", "equipment_class")
    table_class = tables.CertificationTable
    filterset_class = filtersets.CertificationFilterSet
    add_view = "maintenance:certification_add"


class CertificationCreateView(ObjectCreateView):
    model = Certification
    form_class = forms.CertificationForm

    def get_success_url(self):
        return reverse("maintenance:certification_list")


class CertificationUpdateView(ObjectUpdateView):
    model = Certification
    form_class = forms.CertificationForm

    def get_success_url(self):
        return reverse("maintenance:certification_list")


# Schedules -----------------------------------------------------------------------------------


def _schedule_page(request, form, formset, title, status=200):
    return render(
        request,
        "maintenance/schedule_form.html",
        {"form": form, "formset": formset, "title": title},
        status=status,
    )


def _save_schedule(request, instance, title):
    form = forms.ScheduleForm(request.POST or None, instance=instance, user=request.user)
    formset = forms.checklist_formset(request.POST or None, instance=instance)
    if request.method != "POST":
        return _schedule_page(request, form, formset, title)
    with editing(instance):  # the row is held from the version check to the save
        return _save_posted_schedule(request, form, formset, title)


def _save_posted_schedule(request, form, formset, title):
    if form.is_valid() and formset.is_valid():
        checklist = [
            {
                name: item.cleaned_data[name]
                for name in ("text", "kind", "unit", "lower_limit", "upper_limit")
            }
            for item in sorted(
                (
                    f
                    for f in formset.forms
                    if f.cleaned_data
                    and not f.cleaned_data.get("DELETE")
                    and f.cleaned_data.get("text")
                ),
                key=lambda f: f.cleaned_data.get("order") or 0,
            )
        ]
        try:
            schedule = services.schedule_save(schedule=form.save(commit=False), checklist=checklist)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Schedule saved; next due %(due)s.")
                % {"due": schedule.next_due.isoformat() if schedule.next_due else _("unknown yet")},
            )
            return redirect(schedule)
    return _schedule_page(request, form, formset, title, status=400)


@login_required
@permission_required("maintenance.add_maintenanceschedule", raise_exception=True)
def schedule_add(request):
    initial_equipment = request.GET.get("equipment", "")
    if request.method != "POST" and initial_equipment.isdigit():
        equipment = Equipment.objects.for_user(request.user).filter(pk=initial_equipment).first()
        form = forms.ScheduleForm(initial={"equipment": equipment}, user=request.user)
        return _schedule_page(
            request, form, forms.checklist_formset(None), _("New maintenance schedule")
        )
    return _save_schedule(request, None, _("New maintenance schedule"))


@login_required
@permission_required("maintenance.change_maintenanceschedule", raise_exception=True)
def schedule_edit(request, pk):
    schedule = get_object_or_404(MaintenanceSchedule.objects.for_user(request.user), pk=pk)
    return _save_schedule(request, schedule, _("Edit %(schedule)s") % {"schedule": schedule})


@login_required
@permission_required("maintenance.view_maintenanceschedule", raise_exception=True)
def schedule_detail(request, pk):
    schedule = get_object_or_404(
        MaintenanceSchedule.objects.for_user(request.user).select_related(
            "equipment__line__area__site", "meter", "required_class"
        ),
        pk=pk,
    )
    history = selectors.work_order_joins(schedule.work_orders.all()).order_by("-due_at")[:20]
    return render(
        request,
        "maintenance/schedule_detail.html",
        {
            "schedule": schedule,
            "checklist": schedule.checklist.all(),
            "history": history,
            "zone": schedule.equipment.line.area.site.timezone,
        },
    )


LIST_LIMIT = 50
CALENDAR_ITEMS = 400
CELL_ITEMS = 6


def _calendar_days(user, window, today, horizon) -> dict:
    """{day: (what the day's cell shows, how many more)}: the orders due that day, then the
    schedules due with no order yet, from the first CALENDAR_ITEMS of each; overdue days are
    drawn on today.

    Each day's cell shows CELL_ITEMS of them and counts the rest; only those shown are read as
    objects with their machines (at five years the four weeks hold 400 orders and 400
    schedules: reading all 800 with their joins took half the page's time). Each kind is read
    in one query even when none is shown ([0]), so the page's queries stay the same in number.
    """
    days = {}
    for pk, due_at, zone in window.values_list(
        "pk", "due_at", "equipment__line__area__site__timezone"
    )[:CALENDAR_ITEMS]:
        # The order's due_date, from values (ZoneInfo keeps one instance per zone).
        due = timezone.localtime(due_at, ZoneInfo(zone)).date()
        days.setdefault(max(due, today), []).append((WorkOrder, pk))
    ungenerated = (
        MaintenanceSchedule.objects.for_user(user)
        .filter(active=True, next_due__lte=horizon)
        # In the words of the index of active orders per schedule (see core.db.InWritten).
        .exclude(work_orders__status__in_written=ACTIVE_STATUSES)
        .order_by("next_due")
    )
    for pk, next_due in ungenerated.values_list("pk", "next_due")[:CALENDAR_ITEMS]:
        days.setdefault(max(next_due, today), []).append((MaintenanceSchedule, pk))
    shown = [key for keys in days.values() for key in keys[:CELL_ITEMS]]
    objects = {
        model: queryset.in_bulk([pk for kind, pk in shown if kind is model] or [0])
        for model, queryset in (
            (WorkOrder, selectors.work_order_joins()),
            (MaintenanceSchedule, MaintenanceSchedule.objects.select_related("equipment")),
        )
    }
    return {
        day: (
            [objects[model][pk] for model, pk in keys[:CELL_ITEMS]],
            max(len(keys) - CELL_ITEMS, 0),
        )
        for day, keys in days.items()
    }


@login_required
@permission_required("maintenance.view_workorder", raise_exception=True)
def plan(request):
    """The planner's view: overdue work, and what falls due in the next weeks, as a calendar.

    Long lists stop at 50 with a link to the full, filtered list: a plant of thousands of
    machines gets its page at once.
    """
    user = request.user
    today = timezone.localdate()
    horizon = today + datetime.timedelta(weeks=PLAN_WEEKS)
    scoped = WorkOrder.objects.for_user(user)
    late = selectors.work_order_joins(selectors.overdue(scoped)).order_by(*selectors.SOONEST_ACTIVE)
    window = selectors.due_within(user, PLAN_WEEKS * 7, today).exclude(
        pk__in=selectors.overdue(scoped).values("pk")
    )
    first = today - datetime.timedelta(days=today.weekday())
    days = _calendar_days(user, window, today, horizon)
    weeks = [
        [
            {
                "date": day,
                "items": days.get(day, ([], 0))[0],
                "more": days.get(day, ([], 0))[1],
                "past": day < today,
                "today": day == today,
            }
            for day in (first + datetime.timedelta(days=7 * week + offset) for offset in range(7))
        ]
        for week in range(PLAN_WEEKS + 1)
    ]
    expiring = (
        Certification.objects.for_user(user)
        .select_related("user", "equipment_class")
        .filter(
            expires_on__lte=today + datetime.timedelta(days=settings.CERTIFICATION_WARNING_DAYS)
        )
        .order_by("expires_on")
    )
    return render(
        request,
        "maintenance/plan.html",
        {
            "overdue": late[:LIST_LIMIT],
            "overdue_count": late.count(),
            "upcoming": window[:LIST_LIMIT],
            "upcoming_count": window.count(),
            "weeks": weeks,
            "reorder": selectors.parts_to_reorder()[:LIST_LIMIT],
            "expiring": expiring[:LIST_LIMIT],
            "today": today,
            "horizon": horizon,
        },
    )


@login_required
@permission_required("maintenance.view_workorder", raise_exception=True)
def my_work(request):
    orders = selectors.my_work(request.user)
    return render(
        request,
        "maintenance/my_work.html",
        {"orders": orders[:LIST_LIMIT], "count": orders.count()},
    )


# Work orders ---------------------------------------------------------------------------------


def _work_order(request, pk) -> WorkOrder:
    return get_object_or_404(
        selectors.work_order_joins(WorkOrder.objects.for_user(request.user)).select_related(
            "downtime_incident",
            "log_entry__shift",
            "completed_by",
            "lockout_confirmed_by",
            "work_request__requested_by",
        ),
        pk=pk,
    )


@login_required
@permission_required("maintenance.view_workorder", raise_exception=True)
def work_order_detail(request, pk, forms_in_error=None, status=200):
    work_order = _work_order(request, pk)
    user = request.user
    points = list(work_order.isolation_points.select_related("applied_by", "removed_by"))
    locks_on = [point for point in points if point.removed_at is None]
    context = {
        "wo": work_order,
        "zone": work_order.equipment.line.area.site.timezone,
        "checklist": work_order.checklist.all(),
        "parts": work_order.parts_used.select_related("part", "used_by"),
        "amendments": work_order.amendments.select_related("author"),
        "can_work": user.has_perm("maintenance.change_workorder"),
        "can_plan": user.has_perm("maintenance.plan_workorder"),
        "can_cancel": user.has_perm("maintenance.plan_workorder")
        and work_order.status in ACTIVE_STATUSES,
        "can_verify": user.has_perm("maintenance.verify_workorder"),
        "can_audit": user.has_perm("accounts.view_audit_trail"),
        "needs_isolation": work_order.status == WorkOrderStatus.IN_PROGRESS
        and work_order.lockout_required
        and work_order.lockout_confirmed_at is None,
        "points": points,
        "locks_on": locks_on,
    }
    working = work_order.status == WorkOrderStatus.IN_PROGRESS and context["can_work"]
    if working:
        context["lock_forms"] = forms.lock_formset(work_order)
        if locks_on:
            context["remove_form"] = forms.LockRemoveForm(work_order=work_order)
    if working and not context["needs_isolation"]:
        context["complete_form"] = forms.CompleteForm(work_order=work_order)
        context["part_lines"] = forms.PartLinesFormSet(prefix="parts")
        context["parts_list"] = SparePart.objects.order_by("part_number")
        # Completing waits for the locks to come off (with the start-up check).
        context["may_complete"] = not locks_on and (
            work_order.lockout_confirmed_at is None or work_order.startup_checked_at is not None
        )
    if work_order.status == WorkOrderStatus.DONE and context["can_verify"]:
        context["verify_form"] = SignatureForm()
        context["send_back_form"] = forms.ReasonForm()
    if work_order.status == WorkOrderStatus.VERIFIED and user.has_perm(
        "maintenance.add_workorderamendment"
    ):
        context["amend_form"] = AmendmentForm()
    if context["can_cancel"]:
        context["cancel_form"] = forms.ReasonForm()
    context.update(forms_in_error or {})
    return render(request, "maintenance/workorder_detail.html", context, status=status)


@login_required
@permission_required("maintenance.add_workorder", raise_exception=True)
def work_order_add(request):
    """Raise a repair from an equipment page, a log entry or a downtime incident."""
    user = request.user
    source = {}
    if request.GET.get("incident", "").isdigit():
        incident = get_object_or_404(
            DowntimeIncident.objects.for_user(user).select_related("equipment"),
            pk=request.GET["incident"],
        )
        source = {
            "downtime_incident": incident,
            "equipment": incident.equipment,
            "title": _("Repair: %(symptom)s")
            % {"symptom": incident.symptom or incident.equipment.name},
        }
    elif request.GET.get("log_entry", "").isdigit():
        entry = get_object_or_404(
            LogEntry.objects.for_user(user).select_related("equipment"), pk=request.GET["log_entry"]
        )
        source = {
            "log_entry": entry,
            "equipment": entry.equipment,
            "title": entry.text[:150],
            "description": entry.text,
        }
    elif request.GET.get("equipment", "").isdigit():
        source = {
            "equipment": Equipment.objects.for_user(user)
            .filter(pk=request.GET["equipment"])
            .first()
        }
    form = forms.CorrectiveForm(posted(request), user=user, initial=source)
    work_order = submit(
        request,
        form,
        lambda data: services.work_order_create(
            user=user,
            downtime_incident=source.get("downtime_incident"),
            log_entry=source.get("log_entry"),
            **data,
        ),
    )
    if work_order:
        messages.success(request, _("%(number)s raised.") % {"number": work_order.number})
        return redirect(work_order)
    return render(
        request,
        "maintenance/workorder_form.html",
        {"form": form, "source": source, "title": _("Raise a work order")},
        status=form_status(form),
    )


@login_required
@permission_required("maintenance.plan_workorder", raise_exception=True)
def work_order_edit(request, pk):
    work_order = _work_order(request, pk)
    form = forms.PlanForm(posted(request), instance=work_order, user=request.user)
    if submit(
        request,
        form,
        lambda data: services.work_order_update(work_order=work_order, user=request.user, **data),
    ):
        messages.success(request, _("Work order saved."))
        return redirect(work_order)
    return render(
        request,
        "maintenance/workorder_form.html",
        {
            "form": form,
            "title": _("Plan %(number)s") % {"number": work_order.number},
            "wo": work_order,
        },
        status=form_status(form),
    )


def _act(request, pk, action, success, perm_form=None):
    """Run one life-cycle service; refusals come back to the page as a 400 with the reason."""
    work_order = _work_order(request, pk)
    try:
        action(work_order)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return work_order_detail(request, pk, forms_in_error=perm_form, status=400)
    messages.success(request, success)
    return redirect(work_order)


@login_required
@permission_required("maintenance.change_workorder", raise_exception=True)
@require_POST
def work_order_start(request, pk):
    return _act(
        request,
        pk,
        lambda wo: services.work_order_start(work_order=wo, user=request.user),
        _("Work started."),
    )


@login_required
@permission_required("maintenance.change_workorder", raise_exception=True)
@require_POST
def work_order_lockout(request, pk):
    """Put locks on: one row per energy source with its lock and tag numbers."""
    work_order = _work_order(request, pk)
    lock_forms = forms.lock_formset(work_order, request.POST)
    if lock_forms.is_valid():
        points = [row.cleaned_data for row in lock_forms if row.cleaned_data]
        try:
            services.lockout_apply(work_order=work_order, user=request.user, points=points)
        except ValidationError as error:
            lock_forms._non_form_errors = lock_forms.error_class(error.messages)
        else:
            messages.success(request, _("Locks recorded: the equipment is locked out."))
            return redirect(f"{work_order.get_absolute_url()}#lockout")
    return work_order_detail(request, pk, forms_in_error={"lock_forms": lock_forms}, status=400)


@login_required
@permission_required("maintenance.change_workorder", raise_exception=True)
@require_POST
def work_order_lockout_remove(request, pk):
    """Take locks off; with the last one, the start-up check."""
    work_order = _work_order(request, pk)
    form = forms.LockRemoveForm(request.POST, work_order=work_order)
    if form.is_valid():
        try:
            services.lockout_remove(work_order=work_order, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Locks removed."))
            return redirect(f"{work_order.get_absolute_url()}#lockout")
    return work_order_detail(request, pk, forms_in_error={"remove_form": form}, status=400)


@login_required
@permission_required("maintenance.change_workorder", raise_exception=True)
@require_POST
def work_order_checklist(request, pk):
    """Keep the checklist's answers so far (the page sends each step as it is answered; the
    Save button does the same without scripts). A script is answered with JSON."""
    work_order = _work_order(request, pk)
    form = forms.CompleteForm(request.POST, work_order=work_order)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    error = None
    if form.is_valid():
        try:
            services.checklist_save(
                work_order=work_order,
                user=request.user,
                results=form.results(),
                findings=form.cleaned_data["findings"],
                labour_minutes=form.cleaned_data["labour_minutes"],
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    if wants_json:
        if error:
            return JsonResponse({"saved": False, "error": error}, status=400)
        return JsonResponse({"saved": True, "at": timezone.localtime().strftime("%H:%M:%S")})
    if error:
        messages.error(request, error)
        return work_order_detail(request, pk, forms_in_error={"complete_form": form}, status=400)
    messages.success(request, _("Checklist saved."))
    return redirect(f"{work_order.get_absolute_url()}#checklist")


class LockoutListView(ObjectListView):
    """Every lock on right now at the user's sites, machine by machine."""

    model = IsolationPoint
    title = gettext_lazy("Locks on now")
    queryset = selectors.active_lockouts()
    table_class = tables.LockoutTable
    filterset_class = filtersets.LockoutFilterSet


@login_required
@permission_required("maintenance.change_workorder", raise_exception=True)
@require_POST
def work_order_complete(request, pk):
    work_order = _work_order(request, pk)
    form = forms.CompleteForm(request.POST, work_order=work_order)
    part_lines = forms.PartLinesFormSet(request.POST, prefix="parts")
    if form.is_valid() and part_lines.is_valid():
        parts = [
            line.cleaned_data
            for line in part_lines
            if line.cleaned_data.get("part") and line.cleaned_data.get("quantity")
        ]
        try:
            services.work_order_complete(
                work_order=work_order,
                user=request.user,
                results=form.results(),
                parts_used=parts,
                findings=form.cleaned_data["findings"],
                labour_minutes=form.cleaned_data["labour_minutes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(number)s completed.") % {"number": work_order.number})
            return redirect(work_order)
    return work_order_detail(
        request, pk, status=400, forms_in_error={"complete_form": form, "part_lines": part_lines}
    )


@login_required
@permission_required("maintenance.verify_workorder", raise_exception=True)
@require_POST
def work_order_verify(request, pk):
    form = SignatureForm(request.POST)
    if not form.is_valid():
        return work_order_detail(request, pk, forms_in_error={"verify_form": form}, status=400)

    def verify(work_order):
        try:
            services.work_order_verify(
                work_order=work_order,
                user=request.user,
                password=form.cleaned_data["password"],
                meaning=form.cleaned_data["meaning"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            raise

    return _act(request, pk, verify, _("Work order verified."), {"verify_form": form})


def _with_reason(request, pk, service, success, form_name):
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        return work_order_detail(request, pk, forms_in_error={form_name: form}, status=400)
    return _act(
        request,
        pk,
        lambda wo: service(work_order=wo, user=request.user, reason=form.cleaned_data["reason"]),
        success,
        {form_name: form},
    )


@login_required
@permission_required("maintenance.verify_workorder", raise_exception=True)
@require_POST
def work_order_send_back(request, pk):
    return _with_reason(
        request, pk, services.work_order_send_back, _("Sent back."), "send_back_form"
    )


@login_required
@permission_required("maintenance.plan_workorder", raise_exception=True)
@require_POST
def work_order_cancel(request, pk):
    return _with_reason(
        request, pk, services.work_order_cancel, _("Work order cancelled."), "cancel_form"
    )


@login_required
@permission_required("maintenance.add_workorderamendment", raise_exception=True)
@require_POST
def work_order_amend(request, pk):
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        return work_order_detail(request, pk, forms_in_error={"amend_form": form}, status=400)
    return _act(
        request,
        pk,
        lambda wo: services.work_order_amend(work_order=wo, user=request.user, **form.cleaned_data),
        _("Amendment recorded."),
        {"amend_form": form},
    )

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from logbook.accounts.services import preferences_update
from logbook.core.access import permission_required
from logbook.core.views import (
    ObjectCreateView,
    ObjectListView,
    ObjectUpdateView,
    form_status,
    posted,
    submit,
)
from logbook.downtime.selectors import shift_downtime
from logbook.equipment.models import Equipment, Line
from logbook.maintenance.selectors import my_work
from logbook.quality.models import InspectionPlan
from logbook.reports.handover import compile_handover
from logbook.shifts import filtersets, forms, selectors, services, tables
from logbook.shifts.models import (
    HandoverItem,
    HandoverTopic,
    LogEntry,
    OpenItem,
    ProductionRecord,
    Shift,
    ShiftPattern,
)
from logbook.telemetry.selectors import counting_line, machine_count, signal_losses


def _visible_shift(request, pk) -> Shift:
    return get_object_or_404(selectors.shifts_with_joins().for_user(request.user), pk=pk)


def _bad_request(request, template, context):
    return render(request, template, context, status=400)


# Patterns ------------------------------------------------------------------------------------


class ShiftPatternListView(ObjectListView):
    model = ShiftPattern
    queryset = ShiftPattern.objects.select_related("site")
    table_class = tables.ShiftPatternTable
    filterset_class = filtersets.ShiftPatternFilterSet


class ShiftPatternCreateView(ObjectCreateView):
    model = ShiftPattern
    form_class = forms.ShiftPatternForm


class ShiftPatternUpdateView(ObjectUpdateView):
    model = ShiftPattern
    form_class = forms.ShiftPatternForm


# Shift list and pages ------------------------------------------------------------------------


class ShiftListView(ObjectListView):
    model = Shift
    queryset = selectors.shifts_with_joins()
    table_class = tables.ShiftTable
    filterset_class = filtersets.ShiftFilterSet


@login_required
@permission_required("shifts.view_shift", raise_exception=True)
def shift_detail(request, pk):
    shift = _visible_shift(request, pk)
    user = request.user
    context = {
        "shift": shift,
        "zone": shift.site.timezone,
        "previous": selectors.previous_shift(shift),
        **selectors.shift_page(shift),
    }
    if user.has_perm("downtime.view_downtimeincident"):
        context["downtime"] = shift_downtime(shift)
        context["signal_losses"] = signal_losses(
            start=shift.starts_at, end=shift.ends_at, line=shift.line
        )
    if user.has_perm("quality.view_inspection"):
        context["inspections"] = selectors.shift_inspections(shift)
    counted = machine_count(shift) if user.has_perm("shifts.view_productionrecord") else None
    context["machine_count"] = counted
    if not shift.is_signed:
        if user.has_perm("shifts.add_logentry"):
            # ?equipment= comes from an equipment page's "Log for this equipment" (or its QR).
            tag = request.GET.get("equipment", "")
            preset = Equipment.objects.for_user(user).filter(asset_tag=tag).first() if tag else None
            context["entry_form"] = forms.LogEntryForm(
                user=user, shift=shift, initial={"equipment": preset}
            )
            context["equipment_choices"] = shift.line.equipment.order_by("asset_tag")
        if user.has_perm("shifts.add_productionrecord"):
            # Nothing typed yet: the form starts from what the machine counted.
            machine = (
                {"produced_count": counted["produced"], "good_count": counted["good"]}
                if counted and counted["typed_produced"] is None
                else {}
            )
            context["production_form"] = forms.ProductionRecordForm(
                user=user, shift=shift, initial=machine
            )
            if counted is not None or counting_line(shift.line):
                context["run_form"] = forms.ProductRunForm(
                    user=user, shift=shift, initial=_last_run(shift)
                )
            context["products"] = (
                ProductionRecord.objects.filter(shift__line=shift.line)
                .values_list("product", flat=True)
                .distinct()
                .order_by("product")[:30]
            )
        if not hasattr(shift, "handover") and user.has_perm("shifts.add_handover"):
            context["handover_form"] = forms.HandoverForm()
            context["handover_preview"] = [
                {**item, "topic_label": HandoverTopic(item["topic"]).label}
                for item in compile_handover(shift)
            ]
        if shift.status == "handed_over" and user.has_perm("shifts.sign_shift"):
            too_early = services.sign_off_too_early(shift)
            context["sign_off_form"] = forms.ShiftSignOffForm(too_early=too_early)
            context["sign_off_too_early"] = too_early
    previous = context["previous"]
    context["can_answer_previous"] = _can_answer(user, getattr(previous, "handover", None))
    context["can_answer_this"] = _can_answer(user, getattr(shift, "handover", None))
    # Whether the shift takes amendments; who may write one is the amend pages' own rule.
    context["can_amend"] = shift.is_signed
    context["can_edit_any"] = user.has_perm("shifts.change_any_logentry")
    context["can_audit"] = user.has_perm("accounts.view_audit_trail")
    return render(request, "shifts/shift_detail.html", context)


def _last_run(shift) -> dict:
    """The product and cycle time the line ran last: what it most likely runs now."""
    last = (
        ProductionRecord.objects.filter(shift__line_id=shift.line_id, started_at__isnull=False)
        .order_by("-started_at")
        .values("product", "ideal_cycle_time_s")
        .first()
    )
    return last or {}


@login_required
@permission_required("shifts.view_shift", raise_exception=True)
def shift_report(request, pk):
    shift = _visible_shift(request, pk)
    context = {
        "shift": shift,
        "zone": shift.site.timezone,
        "downtime": shift_downtime(shift),
        **selectors.shift_page(shift),
    }
    if request.user.has_perm("quality.view_inspection"):
        context["inspections"] = selectors.shift_inspections(shift)
    return render(request, "shifts/shift_report.html", context)


# Pages of each kind a tablet fetches ahead at most (a line's machines, a person's open work).
AHEAD = 40


@login_required
def fetch_ahead(request):
    """The pages a person's tablet keeps to work without a connection, besides those opened:
    the floor cards of their home line's machines, their open work orders (with checklists)
    and the line's inspection plans. Only pages the person may open; one query of each kind."""
    user, line = request.user, request.user.home_line_id
    pages = []
    if line and user.has_perm("equipment.view_equipment"):
        machines = Equipment.objects.for_user(user).filter(line_id=line).order_by("asset_tag")
        pages += [
            reverse("equipment:equipment_card", args=[pk])
            for pk in machines.values_list("pk", flat=True)[:AHEAD]
        ]
    if user.has_perm("maintenance.view_workorder"):
        pages += [
            reverse("maintenance:workorder_detail", args=[pk])
            for pk in my_work(user).values_list("pk", flat=True)[:AHEAD]
        ]
    if line and user.has_perm("quality.view_inspectionplan"):
        plans = InspectionPlan.objects.for_user(user).filter(line_id=line, is_current=True)
        plans = list(plans.order_by("pk").values_list("pk", flat=True)[:AHEAD])
        pages += [reverse("quality:inspectionplan_detail", args=[pk]) for pk in plans]
        # Inspecting the shift running now: its choice of plans and each plan's form, at the
        # addresses "My shift" leads to.
        shift = _running_shift(user, line)
        if shift is not None and user.has_perm("quality.add_inspection"):
            inspect = reverse("quality:inspection_add")
            pages.append(f"{inspect}?shift={shift.pk}")
            pages += [f"{inspect}?plan={pk}&shift={shift.pk}" for pk in plans]
    return JsonResponse({"pages": pages})


def _running_shift(user, line_id):
    line = Line.objects.for_user(user).select_related("area__site").filter(pk=line_id).first()
    slot = selectors.current_slot_for_line(line) if line is not None else None
    return slot[2] if slot is not None else None


@login_required
@permission_required("shifts.view_shift", raise_exception=True)
def my_shift(request):
    """One tap from home: the shift running now on the user's line, or the offer to start it.

    ``?line=N`` shows another line's shift; choosing a line as one's own is a POST (a GET never
    writes: a crawler following links must not rewrite anyone's settings).
    """
    user = request.user
    lines = Line.objects.for_user(user).select_related("area__site").order_by("code")
    line = None
    if request.method == "POST":
        chosen = request.POST.get("line", "")
        line = get_object_or_404(lines, pk=chosen if chosen.isdigit() else 0)
        if user.home_line_id != line.pk:
            preferences_update(user=user, home_line=line)
        return redirect("shifts:my_shift")
    if request.GET.get("line", "").isdigit():
        line = get_object_or_404(lines, pk=request.GET["line"])
    elif user.home_line_id and lines.filter(pk=user.home_line_id).exists():
        line = lines.get(pk=user.home_line_id)
    elif len(lines) == 1:
        line = lines[0]
    if line is None:
        return render(request, "shifts/choose_line.html", {"lines": lines})
    slot = selectors.current_slot_for_line(line)
    if slot is None:
        return render(request, "shifts/no_shift_now.html", {"line": line, "lines": lines})
    pattern, day, shift = slot
    if shift is not None:
        return redirect(shift)
    return render(
        request,
        "shifts/start_shift.html",
        {
            "line": line,
            "pattern": pattern,
            "day": day,
            "lines": lines,
            "can_start": user.has_perm("shifts.add_shift"),
        },
    )


@login_required
@permission_required("shifts.add_shift", raise_exception=True)
@require_POST
def shift_start(request):
    if not request.POST.get("line", "").isdigit():
        return _bad_request(request, "400.html", {})
    line = get_object_or_404(
        Line.objects.for_user(request.user).select_related("area__site"),
        pk=request.POST["line"],
    )
    pattern = get_object_or_404(
        ShiftPattern.objects.filter(site=line.area.site), pk=request.POST.get("pattern") or 0
    )
    try:
        day = timezone.datetime.fromisoformat(request.POST.get("date", "")).date()
    except ValueError:
        return _bad_request(request, "400.html", {})
    try:
        shift = services.shift_start(line=line, pattern=pattern, date=day, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shifts:my_shift")
    messages.success(request, _("Shift %(shift)s started.") % {"shift": shift})
    return redirect(shift)


@login_required
@permission_required("shifts.add_logentry", raise_exception=True)
def equipment_log(request, pk):
    """From an equipment's page (or its QR code): log on the current shift of its line. Only for
    those who log: anyone else would be sent on to a shift page that refuses them."""
    equipment = get_object_or_404(
        Equipment.objects.for_user(request.user).select_related("line__area__site"), pk=pk
    )
    slot = selectors.current_slot_for_line(equipment.line)
    if slot is not None and slot[2] is not None:
        return redirect(f"{slot[2].get_absolute_url()}?equipment={equipment.asset_tag}#new-entry")
    messages.info(
        request,
        _("No shift is running on line %(line)s: start it to log for %(tag)s.")
        % {"line": equipment.line.code, "tag": equipment.asset_tag},
    )
    return redirect(f"{reverse('shifts:my_shift')}?line={equipment.line_id}")


# Entries and counts --------------------------------------------------------------------------


def _entry_form_page(request, shift, form, title, status=200):
    return render(
        request,
        "shifts/entry_form.html",
        {
            "shift": shift,
            "form": form,
            "title": title,
            "equipment_choices": shift.line.equipment.order_by("asset_tag"),
        },
        status=status,
    )


def _production_form_page(request, shift, form, title, status=200):
    return render(
        request,
        "shifts/production_form.html",
        {"shift": shift, "form": form, "title": title},
        status=status,
    )


def _shift_record_form(request, shift, form, *, page, title, save, done):
    """A form for one record of a shift: saved through ``save`` (a service), back to the shift."""
    if submit(request, form, save):
        messages.success(request, done)
        return redirect(shift)
    return page(request, shift, form, title, status=form_status(form))


def _scoped(model, request, pk):
    return get_object_or_404(
        model.objects.for_user(request.user).select_related("shift__line__area__site"), pk=pk
    )


@login_required
@permission_required("shifts.add_logentry", raise_exception=True)
def log_entry_add(request, pk):
    shift = _visible_shift(request, pk)
    form = forms.LogEntryForm(
        posted(request),
        user=request.user,
        shift=shift,
        initial={"equipment": request.GET.get("equipment", "")},
    )
    return _shift_record_form(
        request,
        shift,
        form,
        page=_entry_form_page,
        title=_("New log entry"),
        save=lambda data: services.log_entry_add(shift=shift, user=request.user, **data),
        done=_("Entry added."),
    )


@login_required
@permission_required("shifts.add_logentry", raise_exception=True)
def log_entry_late(request, pk):
    """A late entry: added to a signed shift after its sign-off, with the reason (an entry that
    was logged on a tablet without a connection and refused when the shift was signed)."""
    shift = _visible_shift(request, pk)
    if not shift.is_signed:
        return redirect("shifts:logentry_add", pk=shift.pk)
    form = forms.LateLogEntryForm(posted(request), user=request.user, shift=shift)
    return _shift_record_form(
        request,
        shift,
        form,
        page=_entry_form_page,
        title=_("Late entry on a signed shift"),
        save=lambda data: services.log_entry_add(shift=shift, user=request.user, **data),
        done=_("Late entry added; it shows as added after the sign-off."),
    )


@login_required
@permission_required("shifts.change_logentry", raise_exception=True)
def log_entry_edit(request, pk):
    entry = _scoped(LogEntry, request, pk)
    form = forms.LogEntryForm(posted(request), instance=entry, user=request.user, shift=entry.shift)
    return _shift_record_form(
        request,
        entry.shift,
        form,
        page=_entry_form_page,
        title=_("Edit log entry"),
        save=lambda data: services.log_entry_update(entry=entry, user=request.user, **data),
        done=_("Entry saved."),
    )


@login_required
@permission_required("shifts.add_logentry", raise_exception=True)
def log_entry_amend(request, pk):
    original = _scoped(LogEntry, request, pk)
    shift = original.shift
    form = forms.AmendLogEntryForm(
        posted(request),
        user=request.user,
        shift=shift,
        original=original,
        initial={name: getattr(original, name) for name in ("category", "equipment", "text")},
    )
    return _shift_record_form(
        request,
        shift,
        form,
        page=_entry_form_page,
        title=_("Amend the entry of %(time)s")
        % {"time": timezone.localtime(original.occurred_at, shift.site.zone).strftime("%H:%M")},
        save=lambda data: services.log_entry_add(
            shift=shift,
            user=request.user,
            amends=original,
            occurred_at=original.occurred_at,
            **data,
        ),
        done=_("Amendment recorded; the original stays visible."),
    )


@login_required
@permission_required("shifts.add_productionrecord", raise_exception=True)
def production_add(request, pk):
    shift = _visible_shift(request, pk)
    form = forms.ProductionRecordForm(posted(request), user=request.user, shift=shift)
    return _shift_record_form(
        request,
        shift,
        form,
        page=_production_form_page,
        title=_("Production counts"),
        save=lambda data: services.production_record_add(shift=shift, user=request.user, **data),
        done=_("Counts recorded."),
    )


@login_required
@permission_required("shifts.add_productionrecord", raise_exception=True)
def product_run_start(request, pk):
    """The product the line runs from now (or a given time): its counting machine counts it."""
    shift = _visible_shift(request, pk)
    form = forms.ProductRunForm(posted(request), user=request.user, shift=shift)
    return _shift_record_form(
        request,
        shift,
        form,
        page=_production_form_page,
        title=_("Product now running"),
        save=lambda data: services.production_record_add(
            shift=shift, user=request.user, from_machine=True, **data
        ),
        done=_("The machine counts this product from now on."),
    )


@login_required
@permission_required("shifts.change_productionrecord", raise_exception=True)
def production_edit(request, pk):
    record = _scoped(ProductionRecord, request, pk)
    form = forms.ProductionRecordForm(
        posted(request), instance=record, user=request.user, shift=record.shift
    )
    return _shift_record_form(
        request,
        record.shift,
        form,
        page=_production_form_page,
        title=_("Edit production counts"),
        save=lambda data: services.production_record_update(
            record=record, user=request.user, **data
        ),
        done=_("Counts saved."),
    )


@login_required
@permission_required("shifts.add_productionrecord", raise_exception=True)
def production_amend(request, pk):
    original = _scoped(ProductionRecord, request, pk)
    shift = original.shift
    form = forms.AmendProductionRecordForm(
        posted(request),
        user=request.user,
        shift=shift,
        original=original,
        initial={name: getattr(original, name) for name in forms.ProductionRecordForm.Meta.fields},
    )
    return _shift_record_form(
        request,
        shift,
        form,
        page=_production_form_page,
        title=_("Amend counts of %(product)s") % {"product": original.product},
        save=lambda data: services.production_record_add(
            shift=shift, user=request.user, amends=original, **data
        ),
        done=_("Amendment recorded; the original stays visible."),
    )


# Handover, acknowledgement, sign-off ---------------------------------------------------------


@login_required
@permission_required("shifts.add_handover", raise_exception=True)
@require_POST
def shift_hand_over(request, pk):
    shift = _visible_shift(request, pk)
    form = forms.HandoverForm(request.POST)
    if submit(
        request, form, lambda data: services.shift_hand_over(shift=shift, user=request.user, **data)
    ):
        messages.success(request, _("Shift handed over."))
        return redirect(shift)
    return _bad_request(request, "shifts/handover_form.html", {"shift": shift, "form": form})


@login_required
@permission_required("shifts.change_handover", raise_exception=True)
@require_POST
def handover_acknowledge(request, pk):
    shift = _visible_shift(request, pk)
    try:
        services.handover_acknowledge(shift=shift, user=request.user)
    except ValidationError as error:
        return _bad_request(
            request, "shifts/refused.html", {"shift": shift, "errors": error.messages}
        )
    messages.success(request, _("Handover acknowledged."))
    return redirect(shift)


def _can_answer(user, handover) -> bool:
    """Whether ``user`` may answer the items of ``handover`` (the one page helper)."""
    return (
        handover is not None
        and handover.acknowledged_at is None
        and not handover.shift.is_signed
        and handover.handed_over_by_id != user.pk
        and user.has_perm("shifts.change_handover")
    )


@login_required
@permission_required("shifts.change_handover", raise_exception=True)
@require_POST
def handover_item_answer(request, pk, item_pk):
    shift = _visible_shift(request, pk)
    item = get_object_or_404(HandoverItem.objects.filter(handover__shift=shift), pk=item_pk)
    try:
        services.handover_item_answer(
            item=item,
            user=request.user,
            answer=request.POST.get("answer", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        return _bad_request(
            request, "shifts/refused.html", {"shift": shift, "errors": error.messages}
        )
    messages.success(request, _("Answer kept."))
    # Back to the page the answer was given on (this shift's, or the next shift's).
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = shift.get_absolute_url()
    return redirect(f"{back}#handover-item-{item.pk}")


@login_required
@permission_required("shifts.sign_shift", raise_exception=True)
@require_POST
def shift_sign_off(request, pk):
    shift = _visible_shift(request, pk)
    form = forms.ShiftSignOffForm(request.POST, too_early=services.sign_off_too_early(shift))
    if submit(
        request, form, lambda data: services.shift_sign_off(shift=shift, user=request.user, **data)
    ):
        messages.success(request, _("Shift signed off."))
        return redirect(shift)
    return _bad_request(request, "shifts/sign_off_form.html", {"shift": shift, "form": form})


@login_required
@permission_required("shifts.change_openitem", raise_exception=True)
@require_POST
def open_item_close(request, pk):
    item = get_object_or_404(OpenItem.objects.for_user(request.user), pk=pk)
    shift = None
    if request.POST.get("shift", "").isdigit():
        shift = _visible_shift(request, request.POST["shift"])
    try:
        services.open_item_close(
            item=item, user=request.user, shift=shift, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        return _bad_request(
            request,
            "shifts/refused.html",
            {"shift": shift or item.raised_on, "errors": error.messages},
        )
    messages.success(request, _("Item closed."))
    return redirect(shift or item.raised_on)

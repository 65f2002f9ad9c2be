from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from logbook.core.access import permission_required
from logbook.core.forms import AmendmentForm, PasswordForm
from logbook.core.views import ObjectListView, form_status, posted, submit
from logbook.equipment.models import Line
from logbook.quality import filtersets, forms, selectors, services, spc, tables
from logbook.quality.choices import CharacteristicKind, NCStatus, Verdict
from logbook.quality.models import Characteristic, Inspection, InspectionPlan, Nonconformance
from logbook.reports.forms import PeriodForm
from logbook.shifts.models import Shift


class InspectionListView(ObjectListView):
    model = Inspection
    queryset = Inspection.objects.select_related("plan", "line", "inspector")
    table_class = tables.InspectionTable
    filterset_class = filtersets.InspectionFilterSet
    add_label = gettext_lazy("Inspect")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_links"] = [
            (_("Plans"), reverse("quality:inspectionplan_list")),
            (_("Nonconformances"), reverse("quality:nonconformance_list")),
        ]
        return context


class InspectionPlanListView(ObjectListView):
    model = InspectionPlan
    queryset = InspectionPlan.objects.select_related("line")
    table_class = tables.InspectionPlanTable
    filterset_class = filtersets.InspectionPlanFilterSet


class NonconformanceListView(ObjectListView):
    model = Nonconformance
    queryset = Nonconformance.objects.select_related("line")
    table_class = tables.NonconformanceTable
    filterset_class = filtersets.NonconformanceFilterSet
    add_button = False  # raised from a failed inspection, or from its form


# Plans ---------------------------------------------------------------------------------------


def _plan_page(request, form, formset, title, status=200):
    return render(
        request,
        "quality/plan_form.html",
        {"form": form, "formset": formset, "title": title},
        status=status,
    )


def _plan_save(request, plan, title):
    form = forms.PlanForm(request.POST or None, instance=plan, user=request.user)
    formset = forms.CharacteristicFormSet(
        request.POST or None, instance=plan or InspectionPlan(), prefix="chars"
    )
    if request.method != "POST":
        return _plan_page(request, form, formset, title)
    if form.is_valid() and formset.is_valid():
        rows = sorted(
            (
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and f.cleaned_data.get("name")
            ),
            key=lambda row: row.get("order") or 0,
        )
        try:
            saved = services.plan_save(
                plan=form.save(commit=False), user=request.user, characteristics=rows
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved %(plan)s.") % {"plan": saved})
            return redirect(saved)
    return _plan_page(request, form, formset, title, status=400)


@login_required
@permission_required("quality.add_inspectionplan", raise_exception=True)
def plan_add(request):
    return _plan_save(request, None, _("New inspection plan"))


@login_required
@permission_required("quality.change_inspectionplan", raise_exception=True)
def plan_edit(request, pk):
    plan = get_object_or_404(InspectionPlan.objects.for_user(request.user), pk=pk)
    title = _("Edit %(plan)s") % {"plan": plan}
    if plan.inspections.exists():
        messages.info(
            request,
            _("Inspections used this version: saving makes version %(n)s.")
            % {"n": plan.version + 1},
        )
    return _plan_save(request, plan, title)


@login_required
@permission_required("quality.view_inspectionplan", raise_exception=True)
def plan_detail(request, pk):
    plan = get_object_or_404(
        InspectionPlan.objects.for_user(request.user).select_related("line"), pk=pk
    )
    return render(
        request,
        "quality/plan_detail.html",
        {
            "plan": plan,
            "characteristics": plan.characteristics.all(),
            "versions": InspectionPlan.objects.filter(family=plan.family).order_by("-version"),
        },
    )


# Inspections ---------------------------------------------------------------------------------


@login_required
@permission_required("quality.add_inspection", raise_exception=True)
def inspection_add(request):
    """Pick the plan, then one screen of big fields; out-of-limit values turn red as typed."""
    user = request.user
    shift = None
    if request.GET.get("shift", "").isdigit():
        shift = get_object_or_404(Shift.objects.for_user(user), pk=request.GET["shift"])
    plans = InspectionPlan.objects.for_user(user).filter(is_current=True).select_related("line")
    if shift is not None:
        plans = plans.filter(line=shift.line)
    elif request.GET.get("line", "").isdigit():
        plans = plans.filter(
            line=get_object_or_404(Line.objects.for_user(user), pk=request.GET["line"])
        )
    if not request.GET.get("plan", "").isdigit():
        return render(request, "quality/choose_plan.html", {"plans": plans, "shift": shift})
    plan = get_object_or_404(plans, pk=request.GET["plan"])
    form = forms.InspectionForm(posted(request), plan=plan)
    inspection = submit(
        request,
        form,
        lambda data: services.inspection_record(
            plan=plan,
            user=user,
            batch=data["batch"],
            sample=data["sample"],
            results=form.results(),
            shift=shift,
        ),
    )
    if inspection:
        if inspection.verdict == Verdict.FAIL:
            messages.error(request, _("Failed: raise a nonconformance for what failed."))
        else:
            messages.success(request, _("Passed."))
        return redirect(inspection)
    return render(
        request,
        "quality/inspection_form.html",
        {"form": form, "plan": plan, "shift": shift},
        status=form_status(form),
    )


@login_required
@permission_required("quality.view_inspection", raise_exception=True)
def inspection_detail(request, pk, sign_form=None, status=200):
    inspection = get_object_or_404(
        Inspection.objects.for_user(request.user).select_related(
            "plan", "line__area__site", "inspector", "shift", "signature"
        ),
        pk=pk,
    )
    can_sign = request.user.has_perm("quality.change_inspection") and not inspection.signature_id
    return render(
        request,
        "quality/inspection_detail.html",
        {
            "inspection": inspection,
            "measurements": inspection.measurements.select_related("characteristic"),
            "nonconformances": inspection.nonconformances.all(),
            "zone": inspection.line.area.site.timezone,
            "sign_form": (sign_form or PasswordForm()) if can_sign else None,
        },
        status=status,
    )


# Nonconformances -----------------------------------------------------------------------------


@login_required
@permission_required("quality.add_nonconformance", raise_exception=True)
def nonconformance_add(request):
    user = request.user
    inspection = None
    initial = {}
    if request.GET.get("inspection", "").isdigit():
        inspection = get_object_or_404(
            Inspection.objects.for_user(user).select_related("plan"), pk=request.GET["inspection"]
        )
        initial = {
            "title": _("%(product)s batch %(batch)s out of specification")
            % {"product": inspection.plan.product, "batch": inspection.batch},
            "description": services.failure_summary(inspection),
            "batch": inspection.batch,
            "severity": "major",
        }
    line = inspection.line if inspection else None
    if line is None and request.GET.get("line", "").isdigit():
        line = get_object_or_404(Line.objects.for_user(user), pk=request.GET["line"])
    if line is None:
        line = user.home_line or Line.objects.for_user(user).first()
    form = forms.NonconformanceForm(posted(request), initial=initial)
    nc = submit(
        request,
        form,
        lambda data: services.nonconformance_raise(
            user=user, line=line, inspection=inspection, **data
        ),
    )
    if nc:
        messages.success(request, _("%(number)s raised.") % {"number": nc.number})
        return redirect(nc)
    return render(
        request,
        "quality/nonconformance_form.html",
        {
            "form": form,
            "inspection": inspection,
            "line": line,
            "title": _("Raise a nonconformance"),
        },
        status=form_status(form),
    )


def _nc(request, pk):
    return get_object_or_404(
        Nonconformance.objects.for_user(request.user).select_related(
            "line", "inspection__plan", "raised_by", "signature"
        ),
        pk=pk,
    )


@login_required
@permission_required("quality.view_nonconformance", raise_exception=True)
def nonconformance_detail(request, pk, extra=None, status=200):
    nc = _nc(request, pk)
    can_close = request.user.has_perm("quality.close_nonconformance")
    context = {
        "nc": nc,
        "can_edit": request.user.has_perm("quality.change_nonconformance")
        and nc.status != NCStatus.CLOSED,
    }
    if can_close and nc.status == NCStatus.OPEN:
        context["disposition_form"] = forms.DispositionForm()
    if can_close and nc.status == NCStatus.DISPOSITIONED:
        context["close_form"] = forms.CloseForm(
            initial={
                "root_cause": nc.root_cause,
                "corrective_action": nc.corrective_action,
                "preventive_action": nc.preventive_action,
            }
        )
    if can_close and nc.status == NCStatus.CLOSED:
        context["amend_form"] = AmendmentForm()
    context["amendments"] = nc.amendments.select_related("author")
    context.update(extra or {})
    return render(request, "quality/nonconformance_detail.html", context, status=status)


def _nc_step(request, pk, form, name, service, done):
    """One step of a nonconformance's life, posted from its page; refused, the page again (400)."""
    nc = _nc(request, pk)
    if submit(request, form, lambda data: service(nc=nc, user=request.user, **data)):
        messages.success(request, done)
        return redirect(nc)
    return nonconformance_detail(request, pk, extra={name: form}, status=400)


@login_required
@permission_required("quality.close_nonconformance", raise_exception=True)
@require_POST
def nonconformance_amend(request, pk):
    return _nc_step(
        request,
        pk,
        AmendmentForm(request.POST),
        "amend_form",
        services.nonconformance_amend,
        _("Amendment recorded; the closed record stays as it was."),
    )


@login_required
@permission_required("quality.change_inspection", raise_exception=True)
@require_POST
def inspection_sign(request, pk):
    inspection = get_object_or_404(Inspection.objects.for_user(request.user), pk=pk)
    form = PasswordForm(request.POST)
    if submit(
        request,
        form,
        lambda data: services.inspection_sign(inspection=inspection, user=request.user, **data),
    ):
        messages.success(request, _("Inspection signed as reviewed."))
        return redirect(inspection)
    return inspection_detail(request, pk, sign_form=form, status=400)


@login_required
@permission_required("quality.change_nonconformance", raise_exception=True)
def nonconformance_edit(request, pk):
    nc = _nc(request, pk)
    services.refuse_if_closed(nc)  # a closed nonconformance answers 409 on every path
    form = forms.NonconformanceEditForm(posted(request), instance=nc)
    if submit(
        request, form, lambda data: services.nonconformance_update(nc=nc, user=request.user, **data)
    ):
        messages.success(request, _("Saved."))
        return redirect(nc)
    return render(
        request,
        "quality/nonconformance_form.html",
        {"form": form, "title": _("Edit %(nc)s") % {"nc": nc.number}, "nc": nc},
        status=form_status(form),
    )


@login_required
@permission_required("quality.close_nonconformance", raise_exception=True)
@require_POST
def nonconformance_disposition(request, pk):
    return _nc_step(
        request,
        pk,
        forms.DispositionForm(request.POST),
        "disposition_form",
        services.nonconformance_disposition,
        _("Dispositioned."),
    )


@login_required
@permission_required("quality.close_nonconformance", raise_exception=True)
@require_POST
def nonconformance_close(request, pk):
    return _nc_step(
        request,
        pk,
        forms.CloseForm(request.POST),
        "close_form",
        services.nonconformance_close,
        _("Closed and signed."),
    )


# SPC -----------------------------------------------------------------------------------------


@login_required
@permission_required("quality.view_inspection", raise_exception=True)
def characteristic_spc(request, pk):
    characteristic = get_object_or_404(
        Characteristic.objects.filter(
            plan__in=InspectionPlan.objects.for_user(request.user)
        ).select_related("plan__line__area__site"),
        pk=pk,
    )
    zone = characteristic.plan.line.area.site.zone
    period = PeriodForm(request.GET, zone=zone)
    start, end = period.period()
    if characteristic.kind == CharacteristicKind.ATTRIBUTE:
        inspected, failed = selectors.failure_totals(characteristic, start, end)
        pbar, points = spc.p_chart(
            selectors.failures_per_day(characteristic, start, end, zone),
            pbar=failed / inspected if inspected else None,
        )
        return render(
            request,
            "quality/p_chart.html",
            {
                "c": characteristic,
                "period_form": period,
                "pbar": pbar,
                "inspected": inspected,
                "failed": failed,
                "out_of_control": sum(p.out for p in points),
                "chart": selectors.p_chart_geometry(points, pbar),
                "zone": zone.key,
            },
        )
    result, other_limits = selectors.capability_and_other_limits(characteristic, start, end)
    values = selectors.chart_values(characteristic, start, end)
    chart = selectors.chart_geometry(
        values,
        lsl=characteristic.lsl,
        usl=characteristic.usl,
        ucl=result.ucl,
        lcl=result.lcl,
        center=result.mean,
    )
    return render(
        request,
        "quality/spc.html",
        {
            "c": characteristic,
            "period_form": period,
            "cap": result,
            "chart": chart,
            "other_limits": other_limits,
            "zone": zone.key,
        },
    )

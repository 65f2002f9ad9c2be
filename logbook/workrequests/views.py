from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from logbook.core.access import permission_required
from logbook.core.views import ObjectListView, form_status, photo_response, posted, submit
from logbook.equipment.models import Equipment
from logbook.equipment.selectors import machines_to_pick
from logbook.maintenance.forms import ReasonForm
from logbook.workrequests import filtersets, forms, services, tables
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest


class WorkRequestListView(ObjectListView):
    """The queue for planners and supervisors; one's own requests for everyone else."""

    model = WorkRequest
    queryset = WorkRequest.objects.select_related("equipment", "requested_by", "work_order")
    table_class = tables.WorkRequestTable
    filterset_class = filtersets.WorkRequestFilterSet
    add_label = gettext_lazy("Request work")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.request.user.has_perm("workrequests.review_workrequest"):
            context["title"] = _("My work requests")
        return context


def _request(request, pk) -> WorkRequest:
    return get_object_or_404(
        WorkRequest.objects.for_user(request.user).select_related(
            "equipment__line__area__site", "requested_by", "decided_by", "work_order"
        ),
        pk=pk,
    )


@login_required
@permission_required("workrequests.add_workrequest", raise_exception=True)
def workrequest_add(request):
    """Request work from the floor: the machine comes from its card (or is picked)."""
    user = request.user
    initial = {}
    if request.GET.get("equipment", "").isdigit():
        initial["equipment"] = (
            Equipment.objects.for_user(user)
            .select_related("line")
            .filter(pk=request.GET["equipment"])
            .first()
        )
    form = forms.WorkRequestForm(posted(request), request.FILES or None, user=user, initial=initial)
    work_request = submit(
        request,
        form,
        lambda data: services.work_request_raise(
            equipment=data["equipment"],
            user=user,
            description=data["description"],
            urgency=data["urgency"],
            photo=data.get("photo") or "",
        ),
    )
    if work_request:
        messages.success(
            request,
            _("%(number)s sent: a planner will answer it here.") % {"number": work_request.number},
        )
        return redirect(work_request)
    equipment = initial.get("equipment")
    line = equipment.line if equipment else user.home_line
    return render(
        request,
        "workrequests/workrequest_form.html",
        {
            "form": form,
            "title": _("Request work"),
            "machines": machines_to_pick(line),
        },
        status=form_status(form),
    )


@login_required
@permission_required("workrequests.view_workrequest", raise_exception=True)
def workrequest_detail(request, pk, forms_shown=None, status=200):
    work_request = _request(request, pk)
    context = {"work_request": work_request}
    if (
        request.user.has_perm("workrequests.review_workrequest")
        and work_request.status == RequestStatus.OPEN
    ):
        context["convert_form"] = forms.ConvertForm(
            user=request.user,
            initial={"title": work_request.title, "priority": work_request.urgency},
        )
        context["decline_form"] = ReasonForm()
    context.update(forms_shown or {})
    return render(request, "workrequests/workrequest_detail.html", context, status=status)


@login_required
@permission_required("workrequests.review_workrequest", raise_exception=True)
@require_POST
def workrequest_convert(request, pk):
    work_request = _request(request, pk)
    form = forms.ConvertForm(request.POST, user=request.user)
    done = submit(
        request,
        form,
        lambda data: services.work_request_convert(
            work_request=work_request, user=request.user, **data
        ),
    )
    if done:
        messages.success(
            request,
            _("%(order)s raised from %(number)s.")
            % {"order": done.work_order.number, "number": done.number},
        )
        return redirect(done.work_order)
    return workrequest_detail(request, pk, {"convert_form": form}, status=400)


@login_required
@permission_required("workrequests.review_workrequest", raise_exception=True)
@require_POST
def workrequest_decline(request, pk):
    work_request = _request(request, pk)
    form = ReasonForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: services.work_request_decline(
            work_request=work_request, user=request.user, reason=data["reason"]
        ),
    )
    if done:
        messages.success(request, _("%(number)s declined.") % {"number": done.number})
        return redirect(done)
    return workrequest_detail(request, pk, {"decline_form": form}, status=400)


@login_required
@permission_required("workrequests.view_workrequest", raise_exception=True)
def workrequest_photo(request, pk):
    """The photo, to those who may read the request (plant photos are not public files)."""
    work_request = _request(request, pk)
    return photo_response(work_request.photo)

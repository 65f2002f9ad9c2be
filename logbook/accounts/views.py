from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from logbook.accounts import services
from logbook.core.roles import Role
from logbook.downtime.models import DowntimeIncident
from logbook.downtime.selectors import open_incidents_for
from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.selectors import equipment_status_counts
from logbook.maintenance.models import WorkOrder
from logbook.maintenance.selectors import my_work, overdue
from logbook.shifts.models import Shift
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest


@login_required
def home(request):
    """The landing page: what the user's role needs first, for the user's sites."""
    user = request.user
    counts = equipment_status_counts(user)
    context = {
        "role": user.primary_role,
        "Role": Role,
        "sites": user.sites.all() if not user.sees_all_sites else None,
        "status_counts": [
            {"status": status, "label": status.label, "count": counts.get(status, 0)}
            for status in EquipmentStatus
        ],
        "ongoing": open_incidents_for(user)
        if user.has_perm("downtime.view_downtimeincident")
        else [],
        "to_classify": DowntimeIncident.objects.for_user(user)
        .filter(ended_at__isnull=False, closed_at__isnull=True)
        .count()
        if user.has_perm("downtime.change_downtimeincident")
        else 0,
    }
    if user.has_perm("maintenance.view_workorder"):
        context["my_work"] = my_work(user).count()
        context["to_verify"] = WorkOrder.objects.for_user(user).filter(status="done").count()
        context["overdue"] = overdue(WorkOrder.objects.for_user(user)).count()
    if user.has_perm("shifts.sign_shift"):
        context["to_sign"] = (
            Shift.objects.for_user(user).filter(signature__isnull=True, handover__isnull=False)
        ).count()
    if user.has_perm("workrequests.view_workrequest"):
        # The queue for those who answer requests; one's own waiting requests for the others.
        waiting = WorkRequest.objects.for_user(user).filter(status=RequestStatus.OPEN)
        context["requests_waiting"] = waiting.count()
    return render(request, "home.html", context)


class PreferencesForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=_("Send me the daily digest"),
        required=False,
        help_text=_("Yesterday's figures of your sites and what needs attention, each morning."),
    )


@login_required
def profile(request):
    """The person's own settings."""
    user = request.user
    data = request.POST if request.method == "POST" else None
    form = PreferencesForm(data, initial={"daily_digest": user.daily_digest})
    if request.method == "POST" and form.is_valid():
        services.preferences_update(user=user, daily_digest=form.cleaned_data["daily_digest"])
        messages.success(request, _("Your settings are saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form, "title": _("Your profile")})

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from logbook.accounts import services
from logbook.core.db import count_each
from logbook.core.roles import Role
from logbook.core.views import submit
from logbook.downtime.models import DowntimeIncident
from logbook.downtime.selectors import down_now_panel
from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.models import Line
from logbook.equipment.selectors import equipment_status_counts
from logbook.maintenance.models import WorkOrder
from logbook.maintenance.selectors import my_work_halves, overdue
from logbook.shifts.models import Shift
from logbook.workrequests.choices import RequestStatus
from logbook.workrequests.models import WorkRequest

# A tile counts what waits, up to a hundred ("99+"); its list shows them all, counted. Five
# years of a company kept hundreds of orders waiting for verification, counted through their
# machines' sites on every home page: work that grew with the backlog, not with the page.
TILE_COUNT_CAP = 100


def tile_count(count: int) -> int | str:
    return count if count < TILE_COUNT_CAP else f"{TILE_COUNT_CAP - 1}+"


@login_required
def home(request):
    """The landing page: what the user's role needs first, for the user's sites."""
    user = request.user
    status = equipment_status_counts(user)
    # The page's counts, the ones the user's role may see, asked of the database at once.
    counted = {}
    if user.has_perm("downtime.change_downtimeincident"):
        counted["to_classify"] = DowntimeIncident.objects.for_user(user).filter(
            ended_at__isnull=False, closed_at__isnull=True
        )
    if user.has_perm("maintenance.view_workorder"):
        halves = {f"my_work_{number}": half for number, half in enumerate(my_work_halves(user))}
        counted.update(halves)
        orders = WorkOrder.objects.for_user(user)
        counted["to_verify"] = orders.filter(status="done")
        counted["overdue"] = overdue(orders)
    if user.has_perm("shifts.sign_shift"):
        counted["to_sign"] = Shift.objects.for_user(user).filter(
            signature__isnull=True, handover__isnull=False
        )
    if user.has_perm("workrequests.view_workrequest"):
        # The queue for those who answer requests; one's own waiting requests for the others.
        counted["requests_waiting"] = WorkRequest.objects.for_user(user).filter(
            status=RequestStatus.OPEN
        )
    counts = count_each(up_to=TILE_COUNT_CAP, **counted)
    if user.has_perm("maintenance.view_workorder"):
        counts["my_work"] = sum(counts.pop(name) for name in halves)
    counts = {name: tile_count(count) for name, count in counts.items()}
    return render(
        request,
        "home.html",
        {
            "role": user.primary_role,
            "Role": Role,
            "sites": user.site_list if not user.sees_all_sites else None,
            "status_counts": [
                {"status": choice, "label": choice.label, "count": status.get(choice, 0)}
                for choice in EquipmentStatus
            ],
            **(
                down_now_panel(user)
                if user.has_perm("downtime.view_downtimeincident")
                else {"ongoing": [], "silent": []}
            ),
            "to_classify": 0,
            **counts,
        },
    )


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser asks")), *settings.LANGUAGES],
        required=False,
    )
    home_line = forms.ModelChoiceField(
        label=_("Home line"),
        queryset=None,
        required=False,
        empty_label=_("None: ask each time"),
        help_text=_("The line whose shift “My shift” opens."),
    )
    daily_digest = forms.BooleanField(
        label=_("Send me the daily digest"),
        required=False,
        help_text=_("Yesterday's figures of your sites and what needs attention, each morning."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_line"].queryset = (
            Line.objects.for_user(user).select_related("area__site").order_by("code")
        )
        self.fields["home_line"].label_from_instance = lambda line: f"{line.code} – {line.name}"


class PasswordForm(forms.Form):
    """The present password and the new one twice; the service checks the rest."""

    old_password = forms.CharField(
        label=_("Present password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 8 characters; not a common password, not only digits, not like your name."
        ),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") != data["new_password1"]:
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


@login_required
def profile(request):
    """The person's own settings and password. Two forms, told apart by the button pressed."""
    user = request.user
    posted = request.POST if request.method == "POST" else None
    changing_password = posted is not None and "change_password" in posted
    form = PreferencesForm(
        None if changing_password else posted,
        user=user,
        initial={
            "daily_digest": user.daily_digest,
            "home_line": user.home_line_id,
            "language": user.language,
        },
        prefix="prefs",
    )
    password_form = PasswordForm(posted if changing_password else None, prefix="password")
    if changing_password:
        changed = submit(
            request,
            password_form,
            lambda data: services.password_change(
                user=user, old_password=data["old_password"], new_password=data["new_password1"]
            ),
        )
        if changed:
            update_session_auth_hash(request, user)  # this session stays logged in
            messages.success(request, _("Your password is changed."))
            return redirect("profile")
    elif submit(request, form, lambda data: services.preferences_update(user=user, **data)):
        if user.language:
            translation.activate(user.language)  # the message in the language just chosen
        messages.success(request, _("Your settings are saved."))
        return redirect("profile")
    status = 400 if posted is not None else 200
    context = {
        "form": form,
        "password_form": password_form,
        "roles": sorted(str(Role(name).label) for name in user.role_names if name in Role.values),
        "sites": user.sites.order_by("code") if not user.sees_all_sites else None,
        "title": _("Your profile"),
    }
    return render(request, "accounts/profile.html", context, status=status)

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# (label, url name, permission needed). Apps add their entries as they land. The brand at the
# left of the bar is the link home.
NAVIGATION = [
    (_("My shift"), "shifts:my_shift", "shifts.add_logentry"),
    (_("Shifts"), "shifts:shift_list", "shifts.view_shift"),
    (_("Downtime"), "downtime:incident_list", "downtime.view_downtimeincident"),
    (_("Maintenance"), "maintenance:workorder_list", "maintenance.view_workorder"),
    (_("Quality"), "quality:inspection_list", "quality.view_inspection"),
    (_("Requests"), "workrequests:workrequest_list", "workrequests.view_workrequest"),
    (_("Reports"), "reports:dashboard", "shifts.view_shift"),
    # "Equipment" the section (all the machines), not one machine as in a form's field.
    (pgettext_lazy("section", "Equipment"), "equipment:equipment_list", "equipment.view_equipment"),
]


def navigation(request):
    """The menu entries this user's role allows, with the current one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"label": label, "url": reverse(name), "current": False}
        for label, name, perm in NAVIGATION
        if perm is None or user.has_perm(perm)
    ]
    # The entry whose URL is the longest prefix of this page is the current one.
    matching = [item for item in items if request.path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["current"] = True
    return {"nav_items": items}

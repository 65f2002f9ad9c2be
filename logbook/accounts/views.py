from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from logbook.core.roles import Role
from logbook.equipment.choices import EquipmentStatus
from logbook.equipment.models import Equipment
from logbook.equipment.selectors import equipment_status_counts


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
        "down_equipment": Equipment.objects.for_user(user)
        .filter(status=EquipmentStatus.DOWN)
        .select_related("line__area__site")[:12],
    }
    return render(request, "home.html", context)

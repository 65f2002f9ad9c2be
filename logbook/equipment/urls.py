from django.urls import path

from logbook.equipment import views

app_name = "equipment"


def crud(prefix: str, name: str, list_view, detail_view, create_view, update_view):
    """The four pages every register model has: list, detail, add, edit."""
    return [
        path(f"{prefix}", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}add/", create_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}<int:pk>/edit/", update_view.as_view(), name=f"{name}_edit"),
    ]


urlpatterns = [
    *crud(
        "",
        "equipment",
        views.EquipmentListView,
        views.EquipmentDetailView,
        views.EquipmentCreateView,
        views.EquipmentUpdateView,
    ),
    path("<int:pk>/card/", views.EquipmentCardView.as_view(), name="equipment_card"),
    path("<int:pk>/label/", views.EquipmentLabelView.as_view(), name="equipment_label"),
    *crud(
        "sites/",
        "site",
        views.SiteListView,
        views.SiteDetailView,
        views.SiteCreateView,
        views.SiteUpdateView,
    ),
    *crud(
        "areas/",
        "area",
        views.AreaListView,
        views.AreaDetailView,
        views.AreaCreateView,
        views.AreaUpdateView,
    ),
    *crud(
        "lines/",
        "line",
        views.LineListView,
        views.LineDetailView,
        views.LineCreateView,
        views.LineUpdateView,
    ),
    *crud(
        "classes/",
        "equipmentclass",
        views.EquipmentClassListView,
        views.EquipmentClassDetailView,
        views.EquipmentClassCreateView,
        views.EquipmentClassUpdateView,
    ),
    *crud(
        "meters/",
        "meter",
        views.MeterListView,
        views.MeterDetailView,
        views.MeterCreateView,
        views.MeterUpdateView,
    ),
    path(
        "meters/<int:pk>/readings/add/",
        views.MeterReadingCreateView.as_view(),
        name="meterreading_add",
    ),
]

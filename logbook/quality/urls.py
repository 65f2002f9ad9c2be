from django.urls import path

from logbook.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.InspectionListView.as_view(), name="inspection_list"),
    path("inspect/", views.inspection_add, name="inspection_add"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/sign/", views.inspection_sign, name="inspection_sign"),
    path("plans/", views.InspectionPlanListView.as_view(), name="inspectionplan_list"),
    path("plans/add/", views.plan_add, name="inspectionplan_add"),
    path("plans/<int:pk>/", views.plan_detail, name="inspectionplan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="inspectionplan_edit"),
    path("characteristics/<int:pk>/spc/", views.characteristic_spc, name="characteristic_spc"),
    path("nonconformances/", views.NonconformanceListView.as_view(), name="nonconformance_list"),
    path("nonconformances/add/", views.nonconformance_add, name="nonconformance_add"),
    path("nonconformances/<int:pk>/", views.nonconformance_detail, name="nonconformance_detail"),
    path("nonconformances/<int:pk>/edit/", views.nonconformance_edit, name="nonconformance_edit"),
    path(
        "nonconformances/<int:pk>/disposition/",
        views.nonconformance_disposition,
        name="nonconformance_disposition",
    ),
    path(
        "nonconformances/<int:pk>/close/", views.nonconformance_close, name="nonconformance_close"
    ),
    path(
        "nonconformances/<int:pk>/amend/",
        views.nonconformance_amend,
        name="nonconformance_amend",
    ),
]

from django.urls import path, re_path

from logbook.downtime import views

app_name = "downtime"

urlpatterns = [
    path("", views.IncidentListView.as_view(), name="incident_list"),
    path("new/", views.incident_new, name="incident_add"),
    path("classify/", views.incidents_classify, name="incident_classify"),
    path("ongoing/", views.ongoing, name="incident_ongoing"),
    path("<int:pk>/", views.incident_detail, name="incident_detail"),
    path("<int:pk>/edit/", views.incident_edit, name="incident_edit"),
    path("<int:pk>/amend/", views.incident_amend, name="incident_amend"),
    path("<int:pk>/close/", views.incident_close, name="incident_close"),
    path("<int:pk>/photo/", views.incident_photo, name="incident_photo"),
    # Only the three restoration stages; any other word is a 404.
    re_path(
        r"^(?P<pk>[0-9]+)/(?P<stage>responded|repaired|ended)/$",
        views.incident_stage,
        name="incident_stage",
    ),
]

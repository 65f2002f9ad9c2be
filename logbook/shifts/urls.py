from django.urls import path

from logbook.shifts import views

app_name = "shifts"

urlpatterns = [
    path("", views.ShiftListView.as_view(), name="shift_list"),
    path("my/", views.my_shift, name="my_shift"),
    path("my/ahead/", views.fetch_ahead, name="fetch_ahead"),
    path("start/", views.shift_start, name="shift_start"),
    path("<int:pk>/", views.shift_detail, name="shift_detail"),
    path("<int:pk>/report/", views.shift_report, name="shift_report"),
    path("<int:pk>/entries/add/", views.log_entry_add, name="logentry_add"),
    path("<int:pk>/entries/late/", views.log_entry_late, name="logentry_late"),
    path("<int:pk>/production/add/", views.production_add, name="productionrecord_add"),
    path("<int:pk>/production/run/", views.product_run_start, name="product_run_start"),
    path("<int:pk>/handover/", views.shift_hand_over, name="shift_handover"),
    path("<int:pk>/acknowledge/", views.handover_acknowledge, name="shift_acknowledge"),
    path(
        "<int:pk>/handover/items/<int:item_pk>/",
        views.handover_item_answer,
        name="handover_item_answer",
    ),
    path("<int:pk>/sign-off/", views.shift_sign_off, name="shift_sign_off"),
    path("entries/<int:pk>/edit/", views.log_entry_edit, name="logentry_edit"),
    path("entries/<int:pk>/amend/", views.log_entry_amend, name="logentry_amend"),
    path("production/<int:pk>/edit/", views.production_edit, name="productionrecord_edit"),
    path("production/<int:pk>/amend/", views.production_amend, name="productionrecord_amend"),
    path("open-items/<int:pk>/close/", views.open_item_close, name="openitem_close"),
    path("patterns/", views.ShiftPatternListView.as_view(), name="shiftpattern_list"),
    path("patterns/add/", views.ShiftPatternCreateView.as_view(), name="shiftpattern_add"),
    path(
        "patterns/<int:pk>/edit/", views.ShiftPatternUpdateView.as_view(), name="shiftpattern_edit"
    ),
]

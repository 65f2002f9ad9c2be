from django.urls import path

from logbook.maintenance import views

app_name = "maintenance"

urlpatterns = [
    path("", views.WorkOrderListView.as_view(), name="workorder_list"),
    path("my-work/", views.my_work, name="my_work"),
    path("plan/", views.plan, name="plan"),
    path("work-orders/new/", views.work_order_add, name="workorder_add"),
    path("work-orders/<int:pk>/", views.work_order_detail, name="workorder_detail"),
    path("work-orders/<int:pk>/edit/", views.work_order_edit, name="workorder_edit"),
    path("work-orders/<int:pk>/start/", views.work_order_start, name="workorder_start"),
    path("work-orders/<int:pk>/lockout/", views.work_order_lockout, name="workorder_lockout"),
    path(
        "work-orders/<int:pk>/lockout/remove/",
        views.work_order_lockout_remove,
        name="workorder_lockout_remove",
    ),
    path("work-orders/<int:pk>/checklist/", views.work_order_checklist, name="workorder_checklist"),
    path("lockouts/", views.LockoutListView.as_view(), name="lockout_list"),
    path("work-orders/<int:pk>/complete/", views.work_order_complete, name="workorder_complete"),
    path("work-orders/<int:pk>/verify/", views.work_order_verify, name="workorder_verify"),
    path("work-orders/<int:pk>/send-back/", views.work_order_send_back, name="workorder_send_back"),
    path("work-orders/<int:pk>/cancel/", views.work_order_cancel, name="workorder_cancel"),
    path("work-orders/<int:pk>/amend/", views.work_order_amend, name="workorder_amend"),
    path("schedules/", views.ScheduleListView.as_view(), name="maintenanceschedule_list"),
    path("schedules/add/", views.schedule_add, name="schedule_add"),
    path("schedules/<int:pk>/", views.schedule_detail, name="schedule_detail"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("parts/", views.SparePartListView.as_view(), name="sparepart_list"),
    path("parts/add/", views.SparePartCreateView.as_view(), name="sparepart_add"),
    path("parts/<int:pk>/edit/", views.SparePartUpdateView.as_view(), name="sparepart_edit"),
    path("certifications/", views.CertificationListView.as_view(), name="certification_list"),
    path("certifications/add/", views.CertificationCreateView.as_view(), name="certification_add"),
    path(
        "certifications/<int:pk>/edit/",
        views.CertificationUpdateView.as_view(),
        name="certification_edit",
    ),
]

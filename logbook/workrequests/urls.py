from django.urls import path

from logbook.workrequests import views

app_name = "workrequests"

urlpatterns = [
    path("", views.WorkRequestListView.as_view(), name="workrequest_list"),
    path("add/", views.workrequest_add, name="workrequest_add"),
    path("<int:pk>/", views.workrequest_detail, name="workrequest_detail"),
    path("<int:pk>/convert/", views.workrequest_convert, name="workrequest_convert"),
    path("<int:pk>/decline/", views.workrequest_decline, name="workrequest_decline"),
    path("<int:pk>/photo/", views.workrequest_photo, name="workrequest_photo"),
]

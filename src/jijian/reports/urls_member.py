from django.urls import path

from . import views_member as views

urlpatterns = [
    path("", views.my_reports, name="my_reports"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/draft/", views.report_draft, name="report_draft"),
    path("records/", views.duty_records, name="duty_records"),
    path("records/new/", views.duty_record_create, name="duty_record_create"),
    path("records/<int:pk>/", views.duty_record_edit, name="duty_record_edit"),
    path("records/<int:pk>/delete/", views.duty_record_delete, name="duty_record_delete"),
]

from django.urls import path

from . import views

app_name = "manual"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("new/", views.page_create, name="page_create"),
    path("topic/<str:code>/", views.topic, name="topic"),
    path("topic/<str:code>/edit/", views.page_edit, name="page_edit"),
    path("topic/<str:code>/v/<int:number>/", views.version, name="version"),
    path("topic/<str:code>/print.pdf", views.topic_pdf, name="topic_pdf"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
]

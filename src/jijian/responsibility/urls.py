from django.urls import path

from . import views

app_name = "responsibility"

urlpatterns = [
    path("", views.board, name="board"),
    path("export.xlsx", views.board_export, name="board_export"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/assessment/", views.assessment, name="assessment"),
    path("orgs/<int:pk>/members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("orgs/<int:pk>/generate/", views.list_generate, name="list_generate"),
    path("orgs/<int:pk>/items/new/", views.item_create, name="item_create"),
    path("orgs/<int:pk>/records/new/", views.record_create, name="record_create"),
    path("orgs/<int:pk>/interviews/new/", views.interview_create, name="interview_create"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("interviews/<int:pk>/follow-up/", views.interview_follow_up, name="interview_follow_up"),
    path("orgs/<int:pk>/risks/", views.risk_list, name="risk_list"),
    path("orgs/<int:pk>/risks/new/", views.risk_create, name="risk_create"),
    path("risks/<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("risks/<int:pk>/check/", views.risk_check, name="risk_check"),
    path("risks/<int:pk>/review/", views.risk_review, name="risk_review"),
    path("supervision/", views.supervision_list, name="supervision_list"),
    path("supervision/new/", views.supervision_create, name="supervision_create"),
    path("supervision/<int:pk>/", views.supervision_detail, name="supervision"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
]

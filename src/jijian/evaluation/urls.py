from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("", views.home, name="home"),
    path("rubrics/", views.rubric_list, name="rubric_list"),
    path("rubrics/new/", views.rubric_edit, name="rubric_create"),
    path("rubrics/<int:pk>/", views.rubric_edit, name="rubric_edit"),
    path("checklists/new/", views.check_rubric_edit, name="check_rubric_create"),
    path("checklists/<int:pk>/", views.check_rubric_edit, name="check_rubric_edit"),
    path("annual/", views.evaluation_list, name="evaluation_list"),
    path("annual/export.xlsx", views.evaluation_export, name="evaluation_export"),
    path("annual/<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("checks/<int:pk>/", views.pair_detail, name="pair_detail"),
    path("rectifications/<int:pk>/", views.rectification_action, name="rectification"),
]

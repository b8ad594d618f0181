from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/answer/", views.task_answer, name="task_answer"),
    path("posts/", views.post_list, name="post_list"),
    path("posts/village/<int:pk>/", views.village_posts, name="village_posts"),
    path("posts/village/<int:pk>/register/", views.holding_register, name="holding_register"),
    path("posts/<int:pk>/end/", views.holding_end, name="holding_end"),
    path("nominations/new/", views.nomination_create, name="nomination_create"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/decide/", views.nomination_decide, name="nomination_decide"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/report/", views.placement_report, name="placement_report"),
    path("placements/<int:pk>/record/", views.placement_record, name="placement_record"),
]

from django.urls import path

from jijian.petitions.clues import views

app_name = "petitions_clues"

urlpatterns = [
    path("", views.clue_list, name="list"),
    path("new/", views.clue_register, name="register"),
    path("from-report/<int:report_pk>/", views.clue_register_from_report, name="register_from_report"),
    path("stats/", views.clue_stats_page, name="stats"),
    path("stats/export/", views.clue_stats_export, name="stats_export"),
    path("<int:pk>/", views.clue_detail, name="detail"),
    path("<int:pk>/propose/", views.clue_propose, name="propose"),
    path("<int:pk>/approve/", views.clue_approve, name="approve"),
    path("<int:pk>/reject/", views.clue_reject, name="reject"),
    path("<int:pk>/letter-reply/", views.clue_letter_reply, name="letter_reply"),
    path("<int:pk>/reopen/", views.clue_reopen, name="reopen"),
    path("<int:pk>/archive/", views.clue_link_archive, name="link_archive"),
    path("<int:pk>/archive/unlink/", views.clue_unlink_archive, name="unlink_archive"),
]

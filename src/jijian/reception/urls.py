from django.urls import path

from . import views, views_public

app_name = "reception"

urlpatterns = [
    path("", views.reception_list, name="list"),
    path("schedules/", views.schedules, name="schedules"),
    path("book/", views.book, name="book"),
    path("book/slots/", views.book_slots, name="book_slots"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_xlsx, name="stats_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/room/", views.room, name="room"),
    path("<int:pk>/minutes/", views.minutes, name="minutes"),
    path("<int:pk>/documents/", views.document_add, name="document_add"),
    path("<int:pk>/recordings/<int:rid>/", views.recording, name="recording"),
    path("<int:pk>/lobby/", views.lobby, name="lobby"),
    path("<int:pk>/join/", views_public.join, name="join"),
    path("<int:pk>/upload/", views_public.petitioner_upload, name="petitioner_upload"),
    path("public/", views_public.public_book, name="public_book"),
    path("public/slots/", views_public.public_slots, name="public_slots"),
    path("public/code/", views_public.public_code, name="public_code"),
    path("public/status/", views_public.public_status, name="public_status"),
    path("public/confirm/", views_public.public_confirm, name="public_confirm"),
]

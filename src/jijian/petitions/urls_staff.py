from django.urls import path

from . import views_staff as views

app_name = "petitions_staff"

urlpatterns = [
    path("", views.petition_list, name="list"),
]

from django.urls import path

from . import views_board as views

app_name = "petitions_board"

urlpatterns = [
    path("", views.deadline_board, name="board"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/<int:year>/<int:quarter>/", views.quarterly_period, name="quarterly_period"),
]

from django.urls import path

from jijian.petitions.deadlines import views

app_name = "petitions_board"

urlpatterns = [
    path("", views.deadline_board, name="board"),
    path("export/", views.deadline_board_export, name="board_export"),
    path("quarterly/", views.quarterly, name="quarterly"),
    path("quarterly/<int:year>/<int:quarter>/", views.quarterly_period, name="quarterly_period"),
]

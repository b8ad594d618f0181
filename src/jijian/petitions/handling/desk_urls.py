from django.urls import path

from jijian.petitions.handling import desk_views as views

app_name = "petitions_work"

urlpatterns = [
    path("forwards/", views.inbox, name="inbox"),
    path("forwards/<int:pk>/answer/", views.answer, name="answer"),
    path("forwards/sent/", views.sent, name="sent"),
    path("export/", views.export, name="export"),
    path("relations/", views.relation_list, name="relations"),
    path("relations/<int:pk>/withdraw/", views.relation_withdraw, name="relation_withdraw"),
]

from django.urls import path

from jijian.petitions.intake import views

app_name = "petitions"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.submit, name="submit"),
    path("follow/", views.follow, name="follow"),
    path("follow/reply/", views.follow_reply, name="follow_reply"),
    path("follow/objection/", views.follow_objection, name="follow_objection"),
    path("follow/end/", views.follow_end, name="follow_end"),
]

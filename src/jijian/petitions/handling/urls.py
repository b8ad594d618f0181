from django.urls import path

from jijian.petitions.handling import views

app_name = "petitions_staff"

urlpatterns = [
    path("", views.petition_list, name="list"),
    path("register/", views.petition_register, name="register"),
    path("<int:pk>/", views.petition_detail, name="detail"),
    path("<int:pk>/reveal/<str:field>/", views.petition_reveal, name="reveal"),
    path("<int:pk>/repeat/", views.petition_mark_repeat, name="mark_repeat"),
    path("<int:pk>/not-accept/", views.petition_not_accept, name="not_accept"),
    path("<int:pk>/route/", views.petition_route, name="route"),
    path("<int:pk>/commissions/", views.commission_search, name="commission_search"),
    path("<int:pk>/acceptance-notice/", views.petition_acceptance_notify, name="acceptance_notify"),
    path("<int:pk>/close/", views.petition_close, name="close"),
    path("<int:pk>/result-notice/", views.petition_result_notify, name="result_notify"),
    path("<int:pk>/objection/", views.petition_objection, name="objection"),
    path("<int:pk>/objection/answer/", views.petition_objection_answer, name="objection_answer"),
    path("<int:pk>/message/", views.petition_message, name="message"),
    path("<int:pk>/archive/", views.petition_link_archive, name="link_archive"),
    path("<int:pk>/archive/unlink/", views.petition_unlink_archive, name="unlink_archive"),
    path("<int:pk>/extension/", views.petition_extension_request, name="extension_request"),
    path("<int:pk>/approvals/<int:approval_pk>/", views.petition_approval_decide, name="approval_decide"),
    path("<int:pk>/urge/", views.petition_urge, name="urge"),
    path("approvals/", views.approvals_pending, name="approvals"),
]

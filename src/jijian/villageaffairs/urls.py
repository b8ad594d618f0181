from django.urls import path

from . import views

app_name = "villageaffairs"

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/steps/<int:step>/", views.step_record, name="step_record"),
    path("decisions/<int:pk>/steps/<int:step>/correct/", views.step_correct, name="step_correct"),
    path("decisions/<int:pk>/answer/", views.flag_answer, name="flag_answer"),
    path("decisions/<int:pk>/clue/", views.flag_clue, name="flag_clue"),
    path("risks/", views.flag_board, name="flag_board"),
    path("risks/splits/<int:village_id>/answer/", views.split_answer, name="split_answer"),
    path("risks/splits/<int:village_id>/clue/", views.split_clue, name="split_clue"),
    path("rules/", views.rules_edit, name="rules_edit"),
    path("rules/<int:village_id>/", views.rules_detail, name="rules_detail"),
    path("vouchers/", views.voucher_list, name="voucher_list"),
    path("vouchers/new/", views.voucher_create, name="voucher_create"),
    path("vouchers/<int:pk>/", views.voucher_detail, name="voucher_detail"),
    path("vouchers/<int:pk>/sign/", views.voucher_sign, name="voucher_sign"),
    path("vouchers/<int:pk>/resolve/", views.voucher_resolve, name="voucher_resolve"),
    path("vouchers/chain/", views.chain_edit, name="chain_edit"),
    path("vouchers/stats/", views.voucher_stats, name="voucher_stats"),
    path("board/", views.board_edit, name="board_edit"),
    path("board/posters/", views.board_posters, name="board_posters"),
    path("board/villages/", views.board_villages, name="board_villages"),
    path("board/<int:village_id>/", views.board_public, name="board_public"),
    path("board/<int:village_id>/photo/", views.board_photo, name="board_photo"),
    path("board/<int:village_id>/photo/upload/", views.board_photo_upload, name="board_photo_upload"),
]

from django.urls import path

from . import views_review as v

urlpatterns = [
    path("", v.review_queue, name="review_queue"),
    path("batch-approve/", v.review_batch_approve, name="review_batch_approve"),
    path("<int:pk>/", v.review_detail, name="review_detail"),
    path("<int:pk>/approve/", v.review_approve, name="review_approve"),
    path("<int:pk>/return/", v.review_return, name="review_return"),
    path("grades/", v.review_grades, name="review_grades"),
    path("grades/<int:member_id>/", v.review_grade_set, name="review_grade_set"),
    path("talks/", v.review_talks, name="review_talks"),
    path("talks/<int:member_id>/", v.review_talk_record, name="review_talk_record"),
]

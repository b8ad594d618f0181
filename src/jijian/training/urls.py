from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.home, name="home"),
    path("questions/", views.question_list, name="question_list"),
    path("questions/new/", views.question_create, name="question_create"),
    path("questions/import/", views.question_import, name="question_import"),
    path("questions/template.xlsx", views.import_template, name="import_template"),
    path("questions/<int:pk>/", views.question_edit, name="question_edit"),
    path("practice/", views.practice, name="practice"),
    path("practice/<int:pk>/", views.practice_answer, name="practice_answer"),
    path("wrong/", views.wrong_book, name="wrong_book"),
    path("exams/", views.exam_list, name="exam_list"),
    path("exams/new/", views.exam_create, name="exam_create"),
    path("exams/<int:pk>/", views.exam_detail, name="exam_detail"),
    path("exams/<int:pk>/take/", views.exam_take, name="exam_take"),
    path("sittings/<int:pk>/", views.sitting_page, name="sitting"),
    path("sittings/<int:pk>/save/", views.sitting_save, name="sitting_save"),
    path("sittings/<int:pk>/submit/", views.sitting_submit, name="sitting_submit"),
    path("sittings/<int:pk>/take-over/", views.sitting_take_over, name="sitting_take_over"),
    path("sittings/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("stats/", views.stats, name="stats"),
    path("lectures/", views.lecture_list, name="lecture_list"),
    path("lectures/new/", views.lecture_create, name="lecture_create"),
    path("lectures/<int:pk>/", views.lecture_detail, name="lecture_detail"),
    path("lectures/<int:pk>/signin/<str:token>/", views.lecture_signin, name="lecture_signin"),
    path("lectures/<int:pk>/files/new/", views.lecture_material_add, name="lecture_material_add"),
    path("courses/required/", views.required, name="required"),
    path("courses/", views.course_list, name="course_list"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/complete/", views.course_complete, name="course_complete"),
    path("courses/<int:pk>/materials/new/", views.material_add, name="material_add"),
    path("courses/<int:pk>/materials/<int:material_pk>/", views.material_page, name="material"),
    path(
        "courses/<int:pk>/materials/<int:material_pk>/learnt/", views.material_learnt, name="material_learnt"
    ),
]

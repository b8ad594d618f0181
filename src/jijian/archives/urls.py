from django.urls import path

from . import opinion_views, views

app_name = "archives"

urlpatterns = [
    path("", views.archive_list, name="list"),
    path("new/", views.archive_create, name="create"),
    path("import/", views.archive_import, name="import"),
    path("export.xlsx", views.archive_export, name="export"),
    path("units/", views.unit_options, name="unit_options"),
    path("<int:pk>/", views.archive_detail, name="detail"),
    path("<int:pk>/edit/", views.archive_edit, name="edit"),
    path("<int:pk>/add/<slug:section>/", views.section_add, name="section_add"),
    path("<int:pk>/withdraw/<slug:section>/<int:entry>/", views.entry_withdraw, name="entry_withdraw"),
    path("<int:pk>/merge/", views.archive_merge, name="merge"),
    path("<int:pk>/print/", views.archive_print, name="print"),
    path("<int:pk>/photo.jpg", views.archive_photo, name="photo"),
    path("<int:pk>/photo/", views.archive_photo_upload, name="photo_upload"),
    path("opinions/", opinion_views.opinion_list, name="opinions"),
    path("opinions/new/", opinion_views.opinion_create, name="opinion_create"),
    path("opinions/<int:pk>/", opinion_views.opinion_detail, name="opinion_detail"),
    path("opinions/<int:pk>/draft/", opinion_views.opinion_draft, name="opinion_draft"),
    path("opinions/<int:pk>/endorse/", opinion_views.opinion_endorse, name="opinion_endorse"),
    path("opinions/<int:pk>/sign/", opinion_views.opinion_sign, name="opinion_sign"),
    path("opinions/<int:pk>/reply.pdf", opinion_views.opinion_pdf, name="opinion_pdf"),
    path("opinions/<int:pk>/reply.docx", opinion_views.opinion_docx, name="opinion_docx"),
]

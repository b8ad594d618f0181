from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.stats_page, name="stats"),
    path("departments/", views_stats.stats_departments, name="stats_departments"),
    path("departments/export.xlsx", views_stats.stats_departments_xlsx, name="stats_departments_xlsx"),
    path("node/<int:node_id>/", views_stats.stats_page, name="stats_node"),
    path("node/<int:node_id>/export.xlsx", views_stats.stats_export_xlsx, name="stats_export_xlsx"),
    path("node/<int:node_id>/reports.csv", views_stats.stats_export_reports, name="stats_export_reports"),
    path(
        "node/<int:node_id>/reports-export/", views_stats.stats_export_month_start, name="stats_export_month"
    ),
    path("exports/<slug:export_id>/", views_stats.stats_export_progress, name="stats_export_progress"),
    path("exports/<slug:export_id>/status.json", views_stats.stats_export_status, name="stats_export_status"),
    path(
        "exports/<slug:export_id>/download.xlsx",
        views_stats.stats_export_download,
        name="stats_export_download",
    ),
    path("node/<int:node_id>/circular.pdf", views_stats.stats_circular, name="stats_circular"),
]

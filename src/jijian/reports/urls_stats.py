from django.urls import path

from . import views_stats

urlpatterns = [
    path("", views_stats.stats_page, name="stats"),
    path("node/<int:node_id>/", views_stats.stats_page, name="stats_node"),
    path("node/<int:node_id>/export.xlsx", views_stats.stats_export_xlsx, name="stats_export_xlsx"),
    path("node/<int:node_id>/reports.csv", views_stats.stats_export_reports, name="stats_export_reports"),
    path("node/<int:node_id>/circular.pdf", views_stats.stats_circular, name="stats_circular"),
]

from django.urls import path  # noqa: F401

app_name = "reports"

# Pages are split by who uses them: views_member (duty log, monthly report), views_review (township
# review queue, annual grades), views_stats (statistics, exports, circular).
urlpatterns: list = []

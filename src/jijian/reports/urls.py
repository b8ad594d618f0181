from django.urls import include, path

app_name = "reports"

# Pages are split by who uses them, one URL module each.
urlpatterns = [
    path("", include("jijian.reports.urls_member")),
    path("review/", include("jijian.reports.urls_review")),
    path("stats/", include("jijian.reports.urls_stats")),
]

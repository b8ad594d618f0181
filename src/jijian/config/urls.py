from django.urls import include, path

from jijian.api.api import api
from jijian.core import health
from jijian.core.admin import admin_site
from jijian.reports.api_member import member_report_submit_front

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin_site.urls),
    # Month-end's busiest API call answers its usual case before django-ninja (reports/api_member.py).
    path("api/reports/<int:report_id>/submit", member_report_submit_front, name="member_report_submit_front"),
    path("api/", api.urls),
    path("audit/", include("jijian.audit.urls")),
    path("files/", include("jijian.attachments.urls")),
    path("reports/", include("jijian.reports.urls")),
    path("report/", include("jijian.petitions.urls_public")),
    path("petitions/clues/", include("jijian.petitions.urls_clues")),
    path("petitions/deadlines/", include("jijian.petitions.urls_board")),
    path("petitions/work/", include("jijian.petitions.urls_work")),
    path("petitions/", include("jijian.petitions.urls_staff")),
    path("archives/", include("jijian.archives.urls")),
    path("", include("jijian.core.urls")),
]

handler404 = "jijian.core.errors.not_found"
handler403 = "jijian.core.errors.forbidden"
handler500 = "jijian.core.errors.server_error"

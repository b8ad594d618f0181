from django.apps import apps
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog, set_language

import jijian
from jijian.api.api import api
from jijian.core.admin import admin_site
from jijian.core.ops import health

# The words of the project's scripts (gettext and interpolate in static/*.js), for the request's
# language. Its address carries the release, so a browser may keep it for a day and an upgrade is
# fetched anew; it holds no data, so pages behind sign-in may keep it too (core.ops.middleware).
javascript_catalog = cache_control(public=True, max_age=86400)(
    JavaScriptCatalog.as_view(
        packages=[c.name for c in apps.get_app_configs() if c.name.startswith("jijian.")]
    )
)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(f"jsi18n/{jijian.__version__}/", javascript_catalog, name="javascript-catalog"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin_site.urls),
    path("api/", api.urls),
    path("audit/", include("jijian.core.audit_reader.urls")),
    path("files/", include("jijian.attachments.urls")),
    path("reports/", include("jijian.reports.urls")),
    path("report/", include("jijian.petitions.intake.urls")),
    path("petitions/clues/", include("jijian.petitions.clues.urls")),
    path("petitions/deadlines/", include("jijian.petitions.deadlines.urls")),
    path("petitions/work/", include("jijian.petitions.handling.desk_urls")),
    path("petitions/", include("jijian.petitions.handling.urls")),
    path("archives/", include("jijian.archives.urls")),
    path("responsibility/", include("jijian.responsibility.urls")),
    path("village/", include("jijian.villageaffairs.urls")),
    path("reception/", include("jijian.reception.urls")),
    path("training/", include("jijian.training.urls")),
    path("manual/", include("jijian.manual.urls")),
    path("evaluation/", include("jijian.evaluation.urls")),
    path("cadres/", include("jijian.cadres.urls")),
    path("", include("jijian.core.urls")),
]

handler404 = "jijian.core.errors.not_found"
handler403 = "jijian.core.errors.forbidden"
handler500 = "jijian.core.errors.server_error"

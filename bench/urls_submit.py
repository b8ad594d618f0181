"""The project's URLs plus the framework's empty view, for the floor of the receipt lookups
(bench/bench_petitions.py). Only bench/settings_submit.py uses this module."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from jijian.config.urls import handler403, handler404, handler500  # noqa: F401
from jijian.config.urls import urlpatterns as project_urlpatterns

EMPTY_PATH = "bench/empty"


@csrf_exempt  # the floor of a POST: no CSRF check to pass
def empty(request):
    """Does nothing: reads no body, touches no database. What Django and its middleware cost."""
    return HttpResponse(b"", content_type="application/json")


urlpatterns = [path(EMPTY_PATH, empty), *project_urlpatterns]

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import path


@login_required
def _placeholder(request):  # replaced by views_review
    raise Http404


urlpatterns = [path("", _placeholder, name="review_queue")]

import os

from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import path


def home(request):
    # static() reads the manifest: with DEBUG off, a file collectstatic did
    # not hash is an error here.
    return HttpResponse(
        f'<link rel="stylesheet" href="{static("site.css")}">'
        f"Hello from a Heroku-style Django app, uid {os.getuid()}\n"
    )


urlpatterns = [path("", home)]

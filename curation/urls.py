from django.contrib import admin
from django.urls import include, path

from curation.health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("claims.api.urls")),
    path("healthz", healthz, name="healthz"),
]

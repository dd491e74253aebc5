from django.contrib import admin
from django.urls import include, path

from comptoir.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("comptoir.web.urls")),
]

handler400 = "comptoir.web.views.errors.bad_request"
handler403 = "comptoir.web.views.errors.forbidden"
handler404 = "comptoir.web.views.errors.not_found"
handler500 = "comptoir.web.views.errors.server_error"

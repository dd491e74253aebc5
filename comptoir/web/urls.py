from django.urls import path

from comptoir.web.views import home

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
]

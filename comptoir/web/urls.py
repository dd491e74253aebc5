from django.contrib.auth import views as auth_views
from django.urls import include, path

from comptoir.web.views import (
    channel_forms,
    channels,
    home,
    inbox,
    ingest,
    listening,
    merges,
    organizations,
    people,
)

app_name = "web"

# Every page of a workspace carries its slug, so links can be shared between colleagues.
workspace_patterns = [
    path("", home.workspace_home, name="workspace"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox.conversation, name="conversation"),
    path("people/", people.person_list, name="people"),
    path("people/<int:pk>/", people.person, name="person"),
    path("organizations/", organizations.organization_list, name="organizations"),
    path("organizations/<int:pk>/", organizations.organization, name="organization"),
    path("ingest/rejected/", ingest.rejected_list, name="rejected_events"),
    path("ingest/rejected/<int:pk>/replay/", ingest.replay, name="rejected_replay"),
    path("ingest/rejected/<int:pk>/discard/", ingest.discard, name="rejected_discard"),
    path("people/suggestions/", merges.suggestion_queue, name="merge_suggestions"),
    path("people/suggestions/<int:pk>/accept/", merges.accept_suggestion, name="accept_suggestion"),
    path("people/suggestions/<int:pk>/reject/", merges.reject_suggestion, name="reject_suggestion"),
    path("people/<int:pk>/merge/", merges.merge_search, name="merge_search"),
    path("people/<int:pk>/merge/<int:other>/", merges.merge_confirm, name="merge_confirm"),
    path("people/merges/<int:pk>/", merges.merge_detail, name="merge_record"),
    path("listening/", listening.stream, name="listening"),
    path("listening/rules/", listening.rule_list, name="listening_rules"),
    path("listening/rules/<int:pk>/", listening.rule_edit, name="listening_rule"),
    path("listening/rules/<int:pk>/delete/", listening.rule_delete, name="listening_rule_delete"),
    path("channels/", channels.channel_list, name="channels"),
    path("channels/new/", channel_forms.channel_new, name="channel_new"),
    path("channels/<int:pk>/edit/", channel_forms.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", channel_forms.channel_test, name="channel_test"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("w/<slug:slug>/", include(workspace_patterns)),
]

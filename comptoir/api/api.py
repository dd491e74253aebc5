"""The REST API: one NinjaAPI that mounts each app's router."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Comptoir API",
    version="1",
    description="People, identities, organisations and conversations of one workspace.",
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api-v1",
)

"""Bearer-token authentication: ``Authorization: Bearer cpt_...``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from comptoir.api.actions import authenticate_token
from comptoir.workspaces.models import Seat


class TokenAuth(HttpBearer):
    """Puts the token's seat in ``request.auth`` (read it with ``comptoir.rest.caller``).

    A missing, unknown or revoked token, or one whose seat is inactive, authenticates
    nobody: ninja then answers 401.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Seat | None:
        api_token = authenticate_token(token.strip())
        return api_token.seat if api_token is not None else None

"""API authentication: DRF's tokens, with an expiry (kept apart from core.api, which DRF's
settings would otherwise import while DRF itself is still loading)."""

import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused once older than ``API_TOKEN_DAYS`` (0: never) or once its user is
    deactivated. Changing the password deletes the user's tokens (accounts.models.User.save)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        days = settings.API_TOKEN_DAYS
        if days and token.created < timezone.now() - datetime.timedelta(days=days):
            raise exceptions.AuthenticationFailed("Token expired: ask for a new one.")
        return user, token

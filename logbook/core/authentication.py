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
        # Read on the primary, even in a request that reads the replica: a token made or
        # revoked a moment ago counts at once.
        model = self.get_model()
        try:
            token = model.objects.using("default").select_related("user").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        user = token.user
        days = settings.API_TOKEN_DAYS
        if days and token.created < timezone.now() - datetime.timedelta(days=days):
            raise exceptions.AuthenticationFailed("Token expired: ask for a new one.")
        return user, token

"""A gateway's key: ``Authorization: Bearer <key>``, good for posting signals and nothing else
(only the signals endpoint reads it; every other endpoint refuses it as an unknown token)."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from logbook.telemetry.models import Gateway, key_digest


class GatewayAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send: Authorization: Bearer <gateway key>.")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid gateway key.") from None
        gateway = (
            Gateway.objects.using("default")
            .select_related("site")
            .filter(key_digest=key_digest(key), active=True)
            .first()
        )
        if gateway is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked gateway key.")
        return AnonymousUser(), gateway

    def authenticate_header(self, request):
        return 'Bearer realm="signals"'


class GatewayKeyScheme(OpenApiAuthenticationExtension):
    target_class = GatewayAuthentication
    name = "gatewayKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A gateway's key, from manage.py gateway_token SITE_CODE.",
        }


class IsGateway(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Gateway)

"""What every app's API shares: the role and site rules of the pages, and clear errors."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from logbook.core.exceptions import Conflict, RecordLocked
from logbook.core.observability import security_event
from logbook.core.versions import StaleEdit, check_version, editing, record_version


class StrictCharField(serializers.CharField):
    """Text is a JSON string: a number or a boolean where text belongs is refused (DRF would
    turn 0 into "0"), so the API accepts exactly what its schema says."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must name a row of the requesting user's sites (else: does not exist)."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "for_user"):
            queryset = queryset.for_user(request.user)
        return queryset


def django_errors_to_drf(error: DjangoValidationError) -> serializers.ValidationError:
    if hasattr(error, "error_dict"):
        detail = {
            (serializers.api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key): msgs
            for key, msgs in error.message_dict.items()
        }
        return serializers.ValidationError(detail)
    return serializers.ValidationError({"detail": error.messages})


def read_input(serializer_class, request) -> dict:
    """The validated body of an action (400 with the reasons when it is not valid)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class SignatureSerializer(serializers.Serializer):
    """An electronic signature, read-only: who, when, meaning what."""

    signer = serializers.IntegerField(source="signer_id", read_only=True)
    signer_name = serializers.CharField(read_only=True)
    signed_at = serializers.DateTimeField(read_only=True)
    meaning = serializers.CharField(read_only=True)


class AmendmentSerializer(serializers.Serializer):
    """A correction kept beside a record that no longer changes (core.models.Amendment)."""

    text = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class AmendmentInput(serializers.Serializer):
    text = StrictCharField()
    reason = StrictCharField()


class PasswordInput(serializers.Serializer):
    password = StrictCharField(style={"input_type": "password"})


class CleanModelSerializer(serializers.ModelSerializer):
    """A model serializer that runs the model's own ``full_clean()``: one set of row rules.

    DRF checks field types; the model's ``clean()`` holds the plant rules (an equipment cannot be
    its own ancestor, a component stays on its machine's site…), and so they hold in the API too.
    """

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        plain = {
            key: value
            for key, value in attrs.items()
            if not model._meta.get_field(key).many_to_many
        }
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk)
            for key, value in plain.items():
                setattr(candidate, key, value)
        else:
            candidate = model(**plain)
        try:
            candidate.full_clean()
        except DjangoValidationError as error:
            raise django_errors_to_drf(error) from error
        return attrs


class ScopedViewSetMixin:
    """Only the rows of the user's sites: another site's id answers 404, as on the pages."""

    def get_queryset(self):
        queryset = super().get_queryset()
        if hasattr(queryset, "for_user"):
            queryset = queryset.for_user(self.request.user)
        return queryset


class RegisterViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, retrieve, create and update; records are decommissioned, not deleted, over the API.

    A record is answered with its version as ETag; an update that sends ``If-Match`` with an
    older version is refused with 409 and what changed meanwhile (core.versions).
    """

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        return _with_etag(Response(self.get_serializer(record).data), record)

    def update(self, request, *args, **kwargs):
        record = self.get_object()
        with editing(record):
            check_version(record, request.headers.get("If-Match"))
            response = super().update(request, *args, **kwargs)
        return _with_etag(response, record)


def _with_etag(response, record):
    """``response`` with the record's version (as it is now) as its ETag."""
    version = record_version(record)
    if version:
        response["ETag"] = f'"{version}"'
    return response


def exception_handler(exc, context):
    """DRF's handler, plus the domain errors our services raise, as 4xx with a reason."""
    if isinstance(exc, Conflict):
        if isinstance(exc, RecordLocked):
            security_event("locked_record_write_refused", context.get("request"), reason=str(exc))
        body = {"detail": str(exc)}
        if isinstance(exc, StaleEdit):
            body["changes"] = [
                {
                    "when": row["when"],
                    "who": str(row["who"]) if row["who"] else None,
                    "fields": [
                        {"field": str(field), "was": _plain(old), "now": _plain(new)}
                        for field, old, new in row["changes"]
                    ],
                }
                for row in exc.changes
            ]
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = django_errors_to_drf(exc)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ProtectedError):
        return Response(
            {"detail": _("Other records refer to this one; it cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, IntegrityError):
        return Response(
            {"detail": _("This change conflicts with another record (it may already exist).")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def _plain(value):
    return None if value is None else str(value)

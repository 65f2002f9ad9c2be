from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import MethodNotAllowed, ParseError
from rest_framework.response import Response
from rest_framework.views import APIView

from logbook.core.api import CleanModelSerializer, RegisterViewSet, ScopedViewSetMixin
from logbook.telemetry import filtersets, services
from logbook.telemetry.authentication import GatewayAuthentication, IsGateway
from logbook.telemetry.choices import Outcome, SignalKind
from logbook.telemetry.models import MicroStop, OpcUaNode, SilentPeriod


class SignalInput(serializers.Serializer):
    """One signal as a gateway posts it (documentation: each item is checked by the ingest,
    which answers per item)."""

    asset_tag = serializers.CharField(max_length=40)
    at = serializers.DateTimeField(help_text="ISO 8601 with its UTC offset (the machine's time)")
    kind = serializers.ChoiceField(choices=SignalKind.choices)
    value = serializers.JSONField(
        help_text=(
            "state: running | stopped | fault; count: a whole number (the counter's total) or "
            "{total, good, reject}; alarm: a code or {code, text}"
        )
    )
    id = serializers.CharField(
        max_length=100, required=False, help_text="the gateway's own event id, if it has one"
    )


class SignalResult(serializers.Serializer):
    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reason = serializers.CharField(required=False)


class BatchResult(serializers.Serializer):
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = SignalResult(many=True)


class SignalsView(APIView):
    """Machine signals from a gateway, in batches: authenticated by the gateway's key
    (``Authorization: Bearer …``, made by ``manage.py gateway_token``), which may post signals
    for its site's machines and do nothing else. A repeated signal is stored once; a signal
    arriving late (up to the horizon) lands in its place; each item answers on its own."""

    authentication_classes = [GatewayAuthentication]
    permission_classes = [IsGateway]

    def initial(self, request, *args, **kwargs):
        # A method it does not answer is a 405 whoever asks (before the key is checked).
        if not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        request=SignalInput(many=True),
        responses={
            200: BatchResult,
            400: OpenApiResponse(description="Not a JSON array of signals."),
            401: OpenApiResponse(description="No gateway key, or one unknown or revoked."),
            403: OpenApiResponse(description="Not a gateway's key."),
            413: OpenApiResponse(description="More signals than one batch may hold."),
        },
        operation_id="signals_post",
    )
    def post(self, request):
        items = request.data
        if not isinstance(items, list):
            raise ParseError("Send a JSON array of signals.")
        gateway = request.auth
        try:
            results = services.ingest(site=gateway.site, gateway=gateway, items=items)
        except ValueError as refused:  # a batch too large, refused whole
            return Response(
                {"detail": str(refused)}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            )
        outcomes = [result["outcome"] for result in results]
        return Response(
            {
                "stored": outcomes.count(Outcome.STORED),
                "duplicates": outcomes.count(Outcome.DUPLICATE),
                "rejected": outcomes.count(Outcome.REJECTED),
                "results": results,
            }
        )


class MicroStopSerializer(serializers.ModelSerializer):
    seconds = serializers.FloatField(read_only=True)

    class Meta:
        model = MicroStop
        fields = ["id", "equipment", "started_at", "ended_at", "seconds"]


class OpcUaNodeSerializer(CleanModelSerializer):
    class Meta:
        model = OpcUaNode
        fields = ["id", "endpoint", "node_id", "equipment", "kind"]


class OpcUaNodeViewSet(RegisterViewSet):
    """Which OPC UA variable carries which machine's state, counter or alarm (read by
    ``manage.py ingest_opcua``)."""

    queryset = OpcUaNode.objects.all()
    serializer_class = OpcUaNodeSerializer
    filterset_fields = {"endpoint": ["exact"], "equipment": ["exact"], "kind": ["exact"]}


class MicroStopViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Machine stops shorter than their class's threshold: a speed loss, not incidents."""

    queryset = MicroStop.objects.all()
    serializer_class = MicroStopSerializer
    filterset_class = filtersets.MicroStopFilterSet


class SilentPeriodSerializer(MicroStopSerializer):
    class Meta(MicroStopSerializer.Meta):
        model = SilentPeriod


class SilentPeriodViewSet(MicroStopViewSet):
    """Times a machine sent nothing for at least its heartbeat: neither running nor down."""

    queryset = SilentPeriod.objects.all()
    serializer_class = SilentPeriodSerializer
    filterset_class = filtersets.SilentPeriodFilterSet


ROUTES = [
    ("micro-stops", MicroStopViewSet),
    ("silent-periods", SilentPeriodViewSet),
    ("opcua-nodes", OpcUaNodeViewSet),
]

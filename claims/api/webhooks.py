"""/api/v1/webhooks/: a signed-in user's webhook subscriptions (claims/webhooks.py).

Each user sees and changes only their own. The secret that signs deliveries is in the answer
to the creation and nowhere after.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from claims import webhooks
from claims.api import feed
from claims.api.parameters import KnownParameters
from claims.models import Subscription
from claims.models.changes import ChangeKind


class SubscriptionSerializer(serializers.ModelSerializer):
    """Checks the shape of the input; the model checks the values (claims/models/webhooks.py)."""

    url = serializers.CharField(max_length=2000, help_text="Where deliveries are POSTed: http(s)://…")
    kinds = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text=f"Which kinds of change to deliver, of {', '.join(ChangeKind.values)} (default: all).")
    from_start = serializers.BooleanField(
        write_only=True, required=False,
        help_text="On creation: deliver the whole feed from its start, not only what comes next.")
    cursor = serializers.SerializerMethodField(
        help_text="The last position delivered, as a change-feed cursor (GET /api/v1/changes/?after=).")

    class Meta:
        model = Subscription
        fields = ["id", "url", "kinds", "from_start", "state", "paused_reason", "consecutive_failures",
                  "last_delivery_at", "last_error", "cursor", "created_at"]
        read_only_fields = ["state", "paused_reason", "consecutive_failures", "last_delivery_at",
                            "last_error", "created_at"]

    def get_cursor(self, subscription) -> str:
        return feed.encode(subscription.cursor)

    def validate(self, data):
        if self.instance is not None and "from_start" in data:
            raise ValidationError({"from_start": ["Only on creation: a subscription's cursor "
                                                  "moves by deliveries alone."]})
        return data


class CreatedSubscriptionSerializer(SubscriptionSerializer):
    secret = serializers.CharField(read_only=True, help_text=(
        "Signs every delivery (HMAC-SHA256, header X-Curation-Signature). Shown only now: keep it."))

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "secret"]


class SubscriptionViewSet(viewsets.ModelViewSet):
    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]
    filter_backends = [KnownParameters]  # no filters, but a misspelt parameter is still a 400

    def get_queryset(self):
        if not self.request.user.is_authenticated:  # the schema generator asks anonymously
            return Subscription.objects.none()
        return Subscription.objects.filter(owner=self.request.user).order_by("id")

    @extend_schema(responses={201: CreatedSubscriptionSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        subscription = webhooks.subscribe(owner=request.user, **body.validated_data)
        return Response(CreatedSubscriptionSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        webhooks.edit(serializer.instance, **serializer.validated_data)

    @extend_schema(request=None, responses=CreatedSubscriptionSerializer,
                   summary="Replace the subscription's signing secret; the new one is shown only now")
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        subscription = self.get_object()
        webhooks.rotate_secret(subscription)
        return Response(CreatedSubscriptionSerializer(subscription).data)

    @extend_schema(request=None, responses=SubscriptionSerializer,
                   summary="Deliver again to a paused subscription, from its cursor")
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        subscription = self.get_object()
        webhooks.resume(subscription)
        return Response(self.get_serializer(subscription).data)

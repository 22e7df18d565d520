"""The webhooks API: an enterprise registers, lists, disables and re-enables the URLs it is told of
outcomes at, and sends them a test event. Its administrators (browser session) and its partner keys
may; the signing secret is in the answer to the registration only."""

from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import webhooks
from ..models import PayloadFormat, WebhookDelivery, WebhookSubscription
from ..principal import Principal
from .base import ScopedReadOnlyViewSet


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.URLField(
        max_length=300,
        help_text=_(
            "https, reaching a public internet address (private, loopback, link-local and other internal "
            "addresses are refused, naming the address); redirects are not followed."
        ),
    )
    secret_hint = serializers.SerializerMethodField(
        help_text=_("The signing secret's last 4 characters: the secret itself is shown only at creation.")
    )

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "payload_format", "active", "secret_hint", "created_at"]
        read_only_fields = ["active", "created_at"]

    def get_secret_hint(self, obj: WebhookSubscription) -> str:
        return "…" + obj.secret[-4:]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_(
            "HMAC-SHA256 key of the X-Singlewindow-Signature header. Shown in this answer only: keep it."
        ),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_key",
            "attempts",
            "response_code",
            "error",
            "delivered_at",
            "next_attempt_at",
            "created_at",
        ]


class ManagesWebhooks(permissions.BasePermission):
    message = _("Only the enterprise's administrators and its partner keys manage its webhooks.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return webhooks.may_manage(request.principal)  # type: ignore[attr-defined]


class WebhookViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The enterprise's webhooks. `POST` registers a URL and answers its signing secret, once; the
    list and the detail show its last 4 characters. A URL the window will not post to is refused with
    the reason in `fields.url`. Another enterprise's webhook answers 404.

    Deliveries are `POST`ed JSON signed in `X-Singlewindow-Signature: sha256=<hex>` (HMAC-SHA256 of
    the body with the secret), retried with backoff; a redirect is a failed attempt, never followed.
    With `payload_format` `ceb`, each event is the CEB receipt message itself (`application/xml`: a
    list's final CEB622, a tax bill's CEB816), signed the same way; a test event stays JSON.
    """

    queryset = WebhookSubscription.objects.none()
    serializer_class = WebhookSerializer
    permission_classes = [permissions.IsAuthenticated, ManagesWebhooks]
    filterset_fields = ["active"]
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self, principal: Principal):
        return webhooks.subscription_list(principal=principal)

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = webhooks.subscription_create(
            enterprise=self.principal.enterprise,
            url=serializer.validated_data["url"],
            payload_format=serializer.validated_data.get("payload_format", PayloadFormat.JSON),
            by=self.principal,
        )
        response = Response(WebhookCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)  # the secret must not be kept by a cache
        return response

    def _subscription(self) -> WebhookSubscription:
        self.request.data  # noqa: B018 - no body is expected, but a malformed one is a 400, not ignored
        return self.get_object()

    @extend_schema(request=None, responses=WebhookSerializer)
    @action(detail=True, methods=["post"])
    def disable(self, request, pk=None):
        """Stop deliveries to this webhook; those not delivered wait until it is enabled again."""
        subscription = webhooks.subscription_disable(subscription=self._subscription(), by=self.principal)
        return Response(WebhookSerializer(subscription).data)

    @extend_schema(request=None, responses=WebhookSerializer)
    @action(detail=True, methods=["post"])
    def enable(self, request, pk=None):
        """Deliver to this webhook again, once its URL passes the check as it stands today (else 400
        naming why in `fields.url`); the deliveries it missed are sent again."""
        subscription = webhooks.subscription_enable(subscription=self._subscription(), by=self.principal)
        return Response(WebhookSerializer(subscription).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Queue a signed `webhook.test` event for this webhook (at most one a minute; 409 when it is
        disabled). The answer is the delivery; its outcome shows on the webhooks page."""
        delivery = webhooks.subscription_test(subscription=self._subscription(), by=self.principal)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

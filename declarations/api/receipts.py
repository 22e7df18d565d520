"""The receipts' pull queue: JSON by default, or CEB XML (`format=ceb`) as the e-port sends receipts."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import PrincipalMixin
from singlewindow.core.errors import ServiceError

from .. import receipt_feed, selectors
from .serializers import ReceiptSerializer


class CebFeedRenderer(BaseRenderer):
    """`?format=ceb`: the view writes the XML itself; this renderer only names the format for DRF."""

    media_type = "application/xml"
    format = "ceb"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


class QueueReceiptSerializer(ReceiptSerializer):
    pre_no = serializers.CharField(
        allow_null=True, read_only=True, help_text="the list's e-port pre-entry number (preNo), if any"
    )
    invt_no = serializers.CharField(
        allow_null=True, read_only=True, help_text="the customs list number (invtNo), once assigned"
    )
    return_time = serializers.CharField(
        read_only=True, help_text="returnTime, YYYYMMDDhhmmssSSS, Beijing time"
    )
    message_type = serializers.CharField(
        allow_null=True, read_only=True, help_text="the CEB receipt message of this entry (CEB622, CEB816...)"
    )
    copy = serializers.CharField(
        allow_null=True,
        read_only=True,
        help_text="ALL, DATA or RET when this is a copy a BaseSubscribe named you for; null for your own",
    )

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "pre_no", "invt_no", "return_time", "message_type", "copy"]


class ReceiptQueuePageSerializer(serializers.Serializer):
    results = QueueReceiptSerializer(many=True)
    next_cursor = serializers.IntegerField()
    more = serializers.BooleanField()


FEED_DESCRIPTION = """\
The pull queue of your receipts, oldest first: call again with `since` = `next_cursor`.

Your own receipts, and copies of the documents a message's BaseSubscribe named you for (`copy`: ALL and
RET give every receipt of the document, DATA the one that answered its arrival).

`format=ceb` answers the same page as XML: a `Feed` (namespace `urn:singlewindow:receipt-feed`, attributes
`nextCursor`, `more`, `count`) of `Entry` elements (`id`, `kind`, `messageType`, `preNo`, `invtNo`,
`returnTime`, `returnStatus`, `copy`), each holding one CEB receipt message (CEB312, 412, 512, 514, 622,
624, 626; CEB304, 404, 506, 604; CEB816 for a tax bill) that validates against the official XSD on its
own. A message's guid is the same at every pull. A summary's answer has no CEB receipt here: its entry
is empty.
"""


@extend_schema(
    tags=["receipts"],
    parameters=[
        OpenApiParameter("since", int, description="cursor: the id of the last receipt you have; 0 for all"),
        OpenApiParameter("limit", int, description="at most 1,000 (default 500)"),
        OpenApiParameter("format", str, enum=["json", "ceb"], description="json (default) or ceb (CEB XML)"),
    ],
    description=FEED_DESCRIPTION,
    responses={
        (200, "application/json"): ReceiptQueuePageSerializer,
        (200, "application/xml"): OpenApiResponse(
            {"type": "string"}, description="a Feed of CEB receipt messages (format=ceb)"
        ),
    },
)
class ReceiptQueueView(PrincipalMixin, APIView):
    """The pull queue of your receipts, oldest first: call again with `since` = `next_cursor`."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CebFeedRenderer]

    def handle_exception(self, exc):
        # A refusal keeps the API's JSON error shape, whichever format was asked for.
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    def get(self, request):
        try:
            since = int(request.query_params.get("since", 0))
            limit = min(max(int(request.query_params.get("limit", 500)), 1), 1000)
        except ValueError:
            raise ServiceError(
                {"since": [_("A whole number.")]}, detail=_("since and limit are whole numbers.")
            ) from None
        as_ceb = request.accepted_renderer.format == "ceb"
        rows = list(
            selectors.receipt_queue(principal=self.principal).filter(id__gt=since).order_by("id")[:limit]
        )
        items = receipt_feed.entries(rows, with_xml=as_ceb)
        for item, scope in _copies(self.principal, items):
            item.copy = scope
        next_cursor, more = (rows[-1].id if rows else since), len(rows) == limit
        if as_ceb:
            return HttpResponse(
                receipt_feed.feed_xml(items, next_cursor=next_cursor, more=more),
                content_type="application/xml; charset=utf-8",
            )
        for item in items:
            row = item.receipt
            row.pre_no, row.invt_no, row.return_time = item.pre_no, item.invt_no, item.return_time
            row.message_type, row.copy = item.message_type, item.copy
        return Response(
            {
                "results": QueueReceiptSerializer(rows, many=True).data,
                "next_cursor": next_cursor,
                "more": more,
            }
        )


def _copies(principal, items):
    scopes = selectors.subscription_scopes(principal=principal, receipts=[item.receipt for item in items])
    return [(item, scopes[item.receipt.pk]) for item in items if item.receipt.pk in scopes]

"""Files of many documents filed in the browser: CEB XML messages or CSV tables.

CSV: one row per document line; the columns are the snake_case field names, with `items.<field>` for
the line fields. Consecutive rows with the same natural key are one document with several lines.
"""

import csv
import io
import json
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sharing.principal import Principal
from singlewindow.core.broker import send_named
from singlewindow.core.errors import ServiceError

from . import ceb, ceb_words, services
from .choices import DocumentKind
from .models import Upload

CHUNK = 500
MAX_UPLOAD_BYTES = ceb.MAX_BODY_BYTES
KIND_OF_MESSAGE = {
    "CEB311": DocumentKind.ORDER,
    "CEB411": DocumentKind.PAYMENT,
    "CEB511": DocumentKind.WAYBILL,
    "CEB621": DocumentKind.INVENTORY,
}


class UploadError(ServiceError):
    """A file that cannot be taken: the refusal names the form's `file` field."""

    def __init__(self, message: "str | list[str]") -> None:
        super().__init__({"file": [message] if isinstance(message, str) else message})


def documents_from_csv(text: str, kind: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        return _documents(reader, kind)
    except csv.Error as exc:
        # The csv module refuses a field over 128 KiB (no CEB field is a thousandth of that) and, in
        # strict dialects, stray quotes: the file is refused at the line it stopped on, not a 500.
        raise UploadError(
            _("Line %(line)d of the CSV file cannot be read: a field is over 128 KiB or badly quoted.")
            % {"line": reader.reader.line_num}  # DictReader's own count stops at the last good row
        ) from exc


def _documents(reader: "csv.DictReader[str]", kind: str) -> list[dict[str, Any]]:
    if not reader.fieldnames:
        raise UploadError(_("The CSV file has no header row."))
    key_fields = services.SPECS[kind].key_fields
    documents: list[dict[str, Any]] = []
    for row in reader:
        head = {k: (v or "").strip() for k, v in row.items() if k and not k.startswith("items.")}
        line = {
            k.removeprefix("items."): (v or "").strip()
            for k, v in row.items()
            if k and k.startswith("items.")
        }
        line = {k: v for k, v in line.items() if v != ""}
        head = {k: v for k, v in head.items() if v != ""}
        previous = documents[-1] if documents else None
        same = previous is not None and all(previous.get(f) == head.get(f) for f in key_fields)
        if same and line:
            previous.setdefault("items", []).append(line)
            continue
        if line:
            head["items"] = [line]
        documents.append(head)
    return documents


def upload_create(*, principal: Principal, kind: str, file_name: str, data: bytes) -> Upload:
    """Read the file's documents (never trusting it), store the upload, and queue its processing."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError(_("The file is larger than 10 MB; split it."))
    if file_name.lower().endswith(".xml") or data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<"):
        file_format = "xml"
        try:
            message = ceb.parse_message(data)
        except ceb.CebError as exc:
            # In the clerk's language; the API and the CEB900 keep ceb's English for partners' systems.
            raise UploadError(ceb_words.refusal_messages(exc)) from exc
        if message.message_type not in KIND_OF_MESSAGE:
            raise UploadError(_("Upload CEB311, 411, 511 or 621 messages here."))
        kind, documents = KIND_OF_MESSAGE[message.message_type], message.documents
    else:
        file_format = "csv"
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UploadError(_("A CSV file must be UTF-8.")) from exc
        documents = documents_from_csv(text, kind)
    if not documents:
        raise UploadError(_("The file holds no document."))
    upload = Upload.objects.create(
        enterprise=principal.enterprise,
        uploaded_by=principal.user if principal.user else None,
        kind=kind,
        file_name=file_name[:200],
        file_format=file_format,
        content=json.dumps(documents, ensure_ascii=False),
        total=len(documents),
    )
    # By name: the task module imports this one.
    transaction.on_commit(lambda: send_named("declarations.process_upload", upload.pk))
    return upload


def upload_process(*, upload_id: int) -> Upload:
    """Submit the documents chunk by chunk through the same service as the API; resumable."""

    upload = Upload.objects.select_related("enterprise", "uploaded_by").get(pk=upload_id)
    if upload.status == Upload.Status.DONE:
        return upload
    documents = json.loads(upload.content)
    # The upload acts for the enterprise it was filed for, whatever its uploader belongs to since.
    principal = Principal(user=upload.uploaded_by, enterprise=upload.enterprise)
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.RUNNING)
    problems = list(upload.problems)
    for start in range(upload.processed, len(documents), CHUNK):
        chunk = documents[start : start + CHUNK]
        try:
            # Problems are kept in English, as the API words them, and shown reworded in the
            # reader's language (texts.reworded): the task has no reader to pick a language for.
            with translation.override("en"):
                results = services.submit(kind=upload.kind, documents=chunk, by=principal)
        except services.IntakeForbidden as exc:
            Upload.objects.filter(pk=upload.pk).update(
                status=Upload.Status.FAILED, problems=[{"error": str(exc)}], finished_at=timezone.now()
            )
            return Upload.objects.get(pk=upload.pk)
        for result in results:
            if not result.ok and len(problems) < 200:
                problems.append(
                    {
                        "document": start + result.index + 1,
                        "errors": result.errors,
                        "return_status": result.return_status,
                    }
                )
        upload.processed = start + len(chunk)
        upload.accepted += sum(1 for r in results if r.ok)
        upload.rejected += sum(1 for r in results if not r.ok)
        Upload.objects.filter(pk=upload.pk).update(
            processed=upload.processed, accepted=upload.accepted, rejected=upload.rejected, problems=problems
        )
    Upload.objects.filter(pk=upload.pk).update(status=Upload.Status.DONE, finished_at=timezone.now())
    return Upload.objects.get(pk=upload.pk)

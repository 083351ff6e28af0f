"""Uploads stop at the size limit while they stream in: a 200 MB file is never held whole."""

from typing import Any, cast

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class SizeLimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers (settings.FILE_UPLOAD_HANDLERS): passes each chunk on to
    the next handler until a file passes RDP_UPLOAD_MAX_BYTES, then stops the upload and
    leaves ``request.upload_refused`` (file name, limit) for the view to say so. The rest
    of the request is read and discarded, so the page can still answer."""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        limit = settings.RDP_UPLOAD_MAX_BYTES
        if start + len(raw_data) > limit:
            # The request is always there (Django passes it) and has no such attribute.
            cast(Any, self.request).upload_refused = {"name": self.file_name, "limit": limit}
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file

"""Uploads stop at the size limit while they stream in (a 200 MB file is never held whole),
and when the temporary directory is full, saying so, with their partial file removed."""

import logging
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadhandler import (
    FileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)

logger = logging.getLogger(__name__)


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


class SpaceCheckedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's handler for uploads past 2.5 MB, which stops when the temporary directory is
    full instead of failing: its partial file is closed and removed at once (it stayed open
    in the web worker before, so the space never came back) and ``request.upload_refused``
    says why, for the view to tell the person (a bare 500 before)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        try:
            super().new_file(*args, **kwargs)
        except OSError as error:
            self._refuse(error)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        try:
            super().receive_data_chunk(raw_data, start)
        except OSError as error:
            self._refuse(error)

    def file_complete(self, file_size: int) -> Any:
        try:
            return super().file_complete(file_size)  # its seek writes what is buffered
        except OSError as error:
            self._refuse(error)

    def _refuse(self, error: OSError) -> None:
        logger.error("upload of %s stopped: temporary space: %s", self.file_name, error)
        self.upload_interrupted()  # closed and removed (NamedTemporaryFile deletes on close)
        cast(Any, self.request).upload_refused = {"name": self.file_name, "no_space": True}
        raise StopUpload(connection_reset=False)

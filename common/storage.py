"""Uploaded files on S3-compatible object storage (django-storages), used when MEDIA_S3_BUCKET is set.

Every object is private (ACL `private`; URLs, where any are made, are signed and short-lived: querystring auth)
and stored with its content type and `Content-Disposition: attachment`, so that even a leaked signed URL makes
the browser download, never render, what an agency uploaded. The portal itself streams files through its access
check (`attachment_get_for_user`), with its own sandboxing headers, rather than redirecting to the bucket: the
bucket's endpoint need not be reachable from browsers at all.
"""

from __future__ import annotations

from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    default_acl = "private"
    querystring_auth = True
    file_overwrite = False  # as on local disk: a name taken gets a suffix, an upload never replaces another

    def get_object_parameters(self, name):
        params = super().get_object_parameters(name)
        params.setdefault("ContentDisposition", "attachment")
        return params


class OverwritingS3Storage(PrivateS3Storage):
    """For files rewritten in place under a fixed name (the open-data dump): one PUT replaces the object at once,
    so a reader never sees it missing or half written."""

    file_overwrite = True

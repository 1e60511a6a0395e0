"""Uploads on S3-compatible object storage (MEDIA_S3_*), against a real S3 API server on this machine.

moto's standalone server (`moto[server]`) is started as a subprocess on a free port: boto3 and django-storages
talk HTTP to it exactly as to AWS S3, MinIO or Ceph. Nothing of boto is mocked.
"""

import contextlib
import socket
import subprocess
import sys
import time

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from practices.models import Attachment
from practices.services import covers
from practices.services import dump as dump_service
from practices.services.attachments import attachment_add
from tests.agencies.factories import member
from tests.practices.factories import PDF_BYTES, new_practice, png_upload, practice_published

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

BUCKET = "rbx-media-test"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 - fixed program
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto server did not start")
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint, client
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def s3(s3_server, settings):
    """The settings MEDIA_S3_* give (rbx_portal/settings.py), pointed at the test server."""
    endpoint, client = s3_server
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        **KEYS,
        "region_name": "us-east-1",
        "signature_version": "s3v4",
        "addressing_style": "path",
        "querystring_expire": 60,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "common.storage.PrivateS3Storage", "OPTIONS": options},
        "dumps": {"BACKEND": "common.storage.OverwritingS3Storage", "OPTIONS": options},
    }
    return client


def test_an_upload_through_the_page_is_a_private_object_with_type_and_disposition(client, s3):
    user = member()
    practice = new_practice(user)
    client.force_login(user)
    response = client.post(
        reverse("manage:attachments", kwargs={"pk": practice.pk}),
        {"file": SimpleUploadedFile("SOP.pdf", PDF_BYTES, content_type="application/pdf"), "purpose": "kit"},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get(practice=practice)
    assert type(default_storage._wrapped).__name__ == "PrivateS3Storage"

    head = s3.head_object(Bucket=BUCKET, Key=attachment.file.name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"] == "attachment"
    assert head["ContentLength"] == len(PDF_BYTES)
    grants = s3.get_object_acl(Bucket=BUCKET, Key=attachment.file.name)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner only: no public read
    assert all(g["Grantee"].get("URI") is None for g in grants)
    # A signed URL (if one is ever made) expires and carries its signature.
    assert "X-Amz-Signature=" in default_storage.url(attachment.file.name)

    url = reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk})
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Disposition"].startswith("attachment;")
    client.logout()
    assert client.get(url).status_code == 404  # anonymous, a draft's file
    client.force_login(member("32.04"))
    assert client.get(url).status_code == 404  # another agency


def test_cover_variants_are_written_to_the_bucket(client, s3):
    user = member()
    practice = new_practice(user)
    cover = attachment_add(
        practice_id=practice.pk,
        uploaded=png_upload("sampul.png", size=(700, 400)),
        by=user,
        purpose=Attachment.Purpose.COVER,
        alt_text="Petugas melayani warga",
    )
    assert covers.cover_variants_make(attachment_id=cover.pk) == 2  # 320 and 640 (no upscaling to 1280)
    cover.refresh_from_db()
    for variant in cover.variants:
        head = s3.head_object(Bucket=BUCKET, Key=variant["name"])
        assert head["ContentType"] == "image/webp" and head["ContentDisposition"] == "attachment"
    client.force_login(user)
    response = client.get(reverse("practice_cover", kwargs={"pk": cover.pk, "width": 320}))
    assert response.status_code == 200 and b"".join(response.streaming_content)[:4] == b"RIFF"


def test_the_data_dump_is_uploaded_and_served_from_the_bucket(client, s3):
    practice_published(title="Di bucket")
    result = dump_service.practice_dump_write()
    assert result["path"] == dump_service.DUMP_NAME and result["practices"] == 1
    head = s3.head_object(Bucket=BUCKET, Key=dump_service.DUMP_NAME)
    assert head["ContentType"] == "application/x-ndjson"
    assert dump_service.practice_dump_write()["path"] == dump_service.DUMP_NAME  # rewritten in place, no suffix
    response = client.get("/api/v1/dump/")
    assert response.status_code == 200
    assert b"Di bucket" in b"".join(response.streaming_content)

"""Uploaded files reach only those who may see the row holding them (issue 16: media was never served)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse

from community import media
from services.models import RequestPhoto
from tests import factories as f
from tests.services import factories as sf

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()


@pytest.fixture
def photo(community_a):
    req = sf.service_request(community_a)
    return RequestPhoto.objects.create(request=req, image=ContentFile(PNG, name="door.png"))


def test_a_file_is_served_to_who_may_see_its_row_only(client, photo, staff_a, staff_b):
    url = reverse("media", args=[photo.image.name])
    assert client.get(url).status_code == 404, "anonymous"
    client.force_login(staff_b)
    assert client.get(url).status_code == 404, "another community's staff"
    client.force_login(staff_a)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"].startswith("private")


def test_a_signed_link_works_without_an_account_and_cannot_be_bent(client, photo):
    request = RequestFactory().get("/")
    url = media.signed_url(request, photo.image.name)
    assert client.get(url).status_code == 200
    forged = url.replace(".png?", "x.png?")  # the signature of one file does not open another
    assert client.get(forged).status_code == 404
    assert client.get(url[:-3] + "abc").status_code == 404


def test_no_way_out_of_the_media_root(client, staff_a, photo):
    client.force_login(staff_a)
    assert client.get("/media/../../etc/passwd").status_code == 404
    assert client.get(reverse("media", args=["services/nothing.png"])).status_code == 404


def test_behind_the_proxy_the_proxy_sends_the_file(client, photo, staff_a, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    client.force_login(staff_a)
    response = client.get(reverse("media", args=[photo.image.name]))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + photo.image.name
    assert response.content == b""


def test_an_export_file_reaches_its_owner_only(client, community_a, staff_a):
    from community.models import DataExport

    other = f.staff_of(community_a)
    export = DataExport.objects.create(user=staff_a, model=DataExport.Kind.RESIDENT)
    export.file.save("residents.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    url = reverse("media", args=[export.file.name])
    client.force_login(other)
    assert client.get(url).status_code == 404
    client.force_login(staff_a)
    assert client.get(url).status_code == 200

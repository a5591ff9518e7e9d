"""Attachments: type read from the content, size limit, the parent's visibility (404) and changeability (403),
files never on a public URL, history of uploads and deletions."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve, reverse

from attachments.filetypes import detect
from attachments.models import Attachment
from tests import factories as f

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(db):
    purchaser = f.PurchaserFactory()
    other_purchaser = f.PurchaserFactory()
    organization = f.OrganizationFactory()
    contract = f.ContractFactory(purchaser=purchaser, organization=organization)
    return {
        "contract": contract,
        "staff": f.user_with_role("staff", purchasers=[purchaser]),
        "outsider": f.user_with_role("staff", purchasers=[other_purchaser]),
        "ngo": f.user_with_role("ngo_manager", organizations=[organization]),
    }


def upload(client, contract, name, data, key="contract"):
    return client.post(reverse("attachments:upload", args=[key, contract.pk]),
                       {"file": SimpleUploadedFile(name, data), "description": "signed copy"})


@pytest.mark.parametrize(("data", "code"), [(PDF_BYTES, "pdf"), (PNG_BYTES, "png"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
                                            (docx_bytes(), "docx"), (EXE_BYTES, None), (b"PK\x03\x04junk", None)])
def test_detect_reads_the_content(data, code):
    kind = detect(io.BytesIO(data))
    assert (kind.code if kind else None) == code


@pytest.mark.django_db
def test_upload_and_download_by_the_staff_member(client, world):
    client.force_login(world["staff"])
    response = upload(client, world["contract"], "合同扫描件.pdf", PDF_BYTES)
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    attachment = Attachment.objects.get()
    assert attachment.parent == world["contract"] and attachment.kind == "pdf" and attachment.size == len(PDF_BYTES)
    assert attachment.uploaded_by == world["staff"]
    assert default_storage.exists(attachment.file.name)
    assert "合同扫描件" not in attachment.file.name  # stored under a random name
    page = client.get(world["contract"].get_absolute_url()).content.decode()
    assert "合同扫描件.pdf" in page and reverse("attachments:download", args=[attachment.pk]) in page
    download = client.get(reverse("attachments:download", args=[attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.django_db
def test_png_named_pdf_is_refused(client, world):
    client.force_login(world["staff"])
    response = upload(client, world["contract"], "voucher.pdf", PNG_BYTES)
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "PNG" in page and ".pdf" in page  # the message names what the content is and the name's extension


@pytest.mark.django_db
def test_program_renamed_pdf_is_refused(client, world):
    client.force_login(world["staff"])
    upload(client, world["contract"], "report.pdf", EXE_BYTES)
    assert not Attachment.objects.exists()
    assert not any(default_storage.listdir("")[1])


@pytest.mark.django_db
def test_size_limit(client, world, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    client.force_login(world["staff"])
    upload(client, world["contract"], "big.pdf", PDF_BYTES + b"0" * 200)
    assert not Attachment.objects.exists()
    settings.ATTACHMENT_MAX_BYTES = 1000
    upload(client, world["contract"], "small.pdf", PDF_BYTES + b"0" * 200)
    assert Attachment.objects.count() == 1


@pytest.fixture
def stored(client, world):
    client.force_login(world["staff"])
    upload(client, world["contract"], "scan.pdf", PDF_BYTES)
    client.logout()
    return Attachment.objects.get()


@pytest.mark.django_db
def test_download_visibility_per_role(client, world, stored):
    url = reverse("attachments:download", args=[stored.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404  # another purchaser's staff cannot see the contract
    client.force_login(world["ngo"])
    assert client.get(url).status_code == 200  # the undertaking organization sees its contract
    client.force_login(f.user_with_role("administrator"))
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_ngo_manager_may_see_but_not_change(client, world, stored):
    client.force_login(world["ngo"])
    page = client.get(world["contract"].get_absolute_url()).content.decode()
    assert "scan.pdf" in page and reverse("attachments:delete", args=[stored.pk]) not in page
    assert upload(client, world["contract"], "mine.pdf", PDF_BYTES).status_code == 403
    assert client.post(reverse("attachments:delete", args=[stored.pk])).status_code == 403
    client.force_login(world["outsider"])
    assert upload(client, world["contract"], "mine.pdf", PDF_BYTES).status_code == 404
    assert client.post(reverse("attachments:delete", args=[stored.pk])).status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.django_db
def test_delete_removes_the_file_and_keeps_history(client, world, stored, django_capture_on_commit_callbacks):
    client.force_login(world["staff"])
    name = stored.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attachments:delete", args=[stored.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists() and not default_storage.exists(name)
    page = client.get(world["contract"].get_absolute_url()).content.decode()
    assert "scan.pdf" in page  # in the attachment history: uploaded, then deleted
    assert Attachment.history.filter(history_type="-", name="scan.pdf", history_user=world["staff"]).exists()


@pytest.mark.django_db
def test_payment_review_and_annual_report_pages_have_attachments(client, world):
    payment = f.PaymentFactory(contract=world["contract"])
    review = f.PerformanceReviewFactory(contract=world["contract"])
    report = f.AnnualReportFactory(organization=world["contract"].organization)
    client.force_login(world["staff"])
    for obj in (payment, review):
        assert 'id="attachments"' in client.get(obj.get_absolute_url()).content.decode()
    client.force_login(world["ngo"])
    assert 'id="attachments"' in client.get(report.get_absolute_url()).content.decode()
    response = upload(client, report, "balance.docx", docx_bytes(), key="annualreport")
    assert response.status_code == 302
    assert Attachment.objects.get().kind == "docx"


@pytest.mark.django_db
def test_unknown_parent_kind_is_404(client, world):
    client.force_login(f.user_with_role("administrator"))
    assert upload(client, world["contract"], "a.pdf", PDF_BYTES, key="organization").status_code == 404


@pytest.mark.django_db
def test_no_public_media_url(world, stored):
    with pytest.raises(Resolver404):  # no URL serves the stored files: only the checked download view
        resolve("/media/" + stored.file.name)

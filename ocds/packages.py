"""OCDS packages: the release package written incrementally (constant memory) and the record package."""

from django.conf import settings
from django.utils import timezone

from . import dbrelease
from .mapping import OCDS_VERSION, compiled_release, dumps, iter_releases, rfc3339

CHUNK_CHARS = 64 * 1024


def package_metadata(uri):
    """The fields every package carries besides its releases or records."""
    metadata = {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": rfc3339(timezone.now()),
        "publisher": {"name": getattr(settings, "OCDS_PUBLISHER_NAME", "") or "POSC Tracker"},
    }
    license_url = getattr(settings, "OCDS_LICENSE", "")
    if license_url:
        metadata["license"] = license_url
    policy = getattr(settings, "OCDS_PUBLICATION_POLICY", "")
    if policy:
        metadata["publicationPolicy"] = policy
    return metadata


def release_texts(queryset):
    """The JSON text of each release of the published contracts of ``queryset`` (narrow it to the user first), in
    id order: written by PostgreSQL (``ocds.dbrelease``), else each release built in Python and dumped. Both give
    the same bytes (tests/ocds/test_dbrelease.py)."""
    texts = dbrelease.release_texts(queryset)
    if texts is None:
        texts = (dumps(release) for release in iter_releases(queryset))
    return texts


def release_package_chunks(uri, releases):
    """The release package as text chunks, from release dicts (see ``release_package_text_chunks``)."""
    return release_package_text_chunks(uri, (dumps(release) for release in releases))


def release_package_text_chunks(uri, texts):
    """The release package as text chunks: the metadata, then ``"releases":[`` and each release's JSON text as it
    comes from the ``texts`` iterator, then ``]}``. Only one batch of contracts is in memory at a time."""
    head = dumps(package_metadata(uri))
    buffer = [head[:-1], ',"releases":[']
    size = 0
    first = True
    for text in texts:
        buffer.append(text if first else "," + text)
        first = False
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    buffer.append("]}")
    yield "".join(buffer)


def record_package(uri, releases, packages=()):
    """A record package with one record: the releases (oldest first) and the compiled release."""
    releases = sorted(releases, key=lambda r: r["date"])
    package = package_metadata(uri)
    if packages:
        package["packages"] = list(packages)
    package["records"] = [{
        "ocid": releases[0]["ocid"],
        "releases": releases,
        "compiledRelease": compiled_release(releases),
    }]
    return package

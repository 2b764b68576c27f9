"""mplat models history: versions newest first, current, pinned, delete markers."""
from __future__ import annotations

from operations import aws as ops_aws
from tfharness import FAKE_AWS_ENV

from .helpers import (REGION, SCORER_BUCKET, SCORER_KEY, client, history_json, make_bucket, mplat,
                      scorer_spec, upload, versions_of)


# -- history --------------------------------------------------------------------------------------
def test_history_lists_versions_newest_first_with_current_pinned_and_delete_markers(moto, capsys,
                                                                                     tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, SCORER_KEY, 3)
    client("s3").delete_object(Bucket=SCORER_BUCKET, Key=SCORER_KEY)
    marker = [v for v in versions_of(SCORER_BUCKET, SCORER_KEY) if "Size" not in v][0]["VersionId"]
    spec = scorer_spec(tmp_path, ids[1])
    data = history_json(capsys, spec)
    assert data["bucket"] == SCORER_BUCKET and data["key"] == SCORER_KEY
    assert data["versioning"] == "Enabled" and data["pinned"] == ids[1]
    assert [v["version_id"] for v in data["versions"]] == [marker, ids[2], ids[1], ids[0]]
    assert [v["delete_marker"] for v in data["versions"]] == [True, False, False, False]
    assert [v["pinned"] for v in data["versions"]] == [False, False, True, False]
    assert not any(v["current"] for v in data["versions"])      # the key is deleted
    assert [v["size"] for v in data["versions"][1:]] == [7, 7, 7]

    rc, out, err = mplat(capsys, "models", "history", spec)
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == f"s3://{SCORER_BUCKET}/{SCORER_KEY} (versioning: Enabled; newest first)"
    assert "(delete marker)" in lines[2] and marker in lines[2]
    assert lines[4].startswith(f"  {ids[1]}") and lines[4].endswith("<- pinned")


# ListObjectVersions as S3 answers it (S3 API reference, ListObjectVersions, "Response Syntax"):
# one ListVersionsResult whose Version and DeleteMarker entries are interleaved, newest first. moto
# 5.2.5 writes all Versions, then all DeleteMarkers, so it cannot show what follows.
_SAME_SECOND = """<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>scorer-models-123456789012</Name><Prefix>scorer/model.tar.gz</Prefix>
  <KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker><MaxKeys>1000</MaxKeys>
  <IsTruncated>false</IsTruncated>
  <Version><Key>scorer/model.tar.gz</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified><ETag>"e3"</ETag><Size>3</Size>
    <StorageClass>STANDARD</StorageClass></Version>
  <DeleteMarker><Key>scorer/model.tar.gz</Key><VersionId>dm2</VersionId><IsLatest>false</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified></DeleteMarker>
  <Version><Key>scorer/model.tar.gz</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest>
    <LastModified>2026-11-29T10:00:07.000Z</LastModified><ETag>"e1"</ETag><Size>1</Size>
    <StorageClass>STANDARD</StorageClass></Version>
</ListVersionsResult>"""


def test_same_second_versions_and_delete_markers_keep_s3s_order(monkeypatch):
    """#16 Low: v1 uploaded, deleted (dm2), v3 uploaded, all in one second (LastModified has whole
    seconds): history listed v3, v1, dm2, and --at/--steps could pick v1 for a time it was
    deleted. The order is S3's own, read from the raw answer."""
    import http.server
    import threading

    from operations import models

    class S3(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = _SAME_SECOND.encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), S3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for key, value in FAKE_AWS_ENV.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
        aws = ops_aws.Aws(region=REGION)
        versions = models.list_versions(aws, SCORER_BUCKET, SCORER_KEY)
    finally:
        server.shutdown()
    assert [(v.version_id, v.delete_marker) for v in versions] == [
        ("v3", False), ("dm2", True), ("v1", False)]


def test_history_marks_current_and_takes_another_key(moto, capsys, tmp_path):
    make_bucket(SCORER_BUCKET)
    ids = upload(SCORER_BUCKET, "other/model.bin", 2)
    upload(SCORER_BUCKET, SCORER_KEY, 1)
    data = history_json(capsys, scorer_spec(tmp_path, "v0"), "--key", "other/model.bin")
    assert [v["version_id"] for v in data["versions"]] == [ids[1], ids[0]]
    assert [v["current"] for v in data["versions"]] == [True, False]
    assert data["pinned"] is None                # the pin is of another key

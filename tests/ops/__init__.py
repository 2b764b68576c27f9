"""The operational commands (`mplat models`, `restore`, `verify`, `changes`) against a live API.

A moto server on 127.0.0.1 (started once per session, reset before each test) serves S3 versions,
CopyObject, KMS, AWS Config, CodeDeploy, CloudWatch, STS and the Backup plan calls. The calls moto
5.2.5 does not implement (Backup recovery points and restore jobs) and the answers it cannot give
(a Config recorder whose last status is SUCCESS, an AccessDenied) come from botocore's Stubber on
that one operation, so request and response shapes are still checked against the service model;
every other call of the same client goes to moto. One answer moto cannot give on the wire: a
ListObjectVersions whose Version and DeleteMarker entries interleave (moto writes all Versions,
then all DeleteMarkers); a loopback HTTP server answers the documented XML for that one test
(test_same_second_versions_and_delete_markers_keep_s3s_order), since the Stubber skips the raw
response that mplat reads.

The commands run in-process through ``mplat.cli.main`` with AWS_ENDPOINT_URL pointing at moto.

One module per command (history, rollback in pin and copy mode, the refusals, the YAML edit,
restore, verify, the fleet view, changes, start-up); the fixtures (``moto_server``, ``moto``) are in
conftest.py, the specs and shared helpers in helpers.py. The fake AWS environment is the
harness's one FAKE_AWS_ENV (tests/terraform/server.py), and the server is its MotoServer.
"""

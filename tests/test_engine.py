"""The engine seam's import-time tricks: lazy provider exports (same classes, a fraction of the cost)."""
import io
import tarfile

from generators import engine

INDEX = '''"use strict";
exports.s3Bucket = exports.provider = void 0;
exports.s3Bucket = require("./s3-bucket");
exports.provider = require("./provider");
'''


def test_lazy_index_turns_each_export_into_a_getter():
    lazy = engine._lazy_index(INDEX * 30)       # a real index has thousands of exports
    assert lazy.count('Object.defineProperty(exports, "s3Bucket"') == 30
    assert 'get: function () { return require("./provider"); }' in lazy
    assert 'exports.s3Bucket = require(' not in lazy
    assert lazy.startswith('"use strict";\nexports.s3Bucket = exports.provider = void 0;')


def test_an_unexpected_index_is_left_alone():
    assert engine._lazy_index("module.exports = require('./all');\n") is None


def test_lazy_tarball_rewrites_only_the_index(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / "cache" / "jsii"))
    src = tmp_path / "pkg@1.0.0.jsii.tgz"
    files = {"package/lib/index.js": (INDEX * 30).encode(), "package/.jsii": b'{"name": "pkg"}'}
    with tarfile.open(src, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    lazy = engine._lazy_tarball(src)
    assert lazy is not None and lazy.parent == tmp_path / "cache" / "jsii"
    with tarfile.open(lazy) as tar:
        assert tar.extractfile("package/.jsii").read() == files["package/.jsii"]
        assert b"Object.defineProperty" in tar.extractfile("package/lib/index.js").read()
    assert engine._lazy_tarball(src) == lazy                 # made once


def test_providers_load_through_lazy_assemblies():
    engine.aws("s3_bucket")
    module = engine.sys.modules["cdktf_cdktf_provider_aws._jsii"]
    assert ".lazy-" in module.__jsii_assembly__.filename


def test_lazy_tarball_is_reproducible_and_made_once_under_concurrency(tmp_path, monkeypatch):
    import concurrent.futures
    src = tmp_path / "pkg@1.0.0.jsii.tgz"
    data = (INDEX * 30).encode()
    with tarfile.open(src, "w:gz") as tar:
        info = tarfile.TarInfo("package/lib/index.js")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    made = {}
    for run in ("a", "b"):
        monkeypatch.setenv("MPLAT_JSII_DIR", str(tmp_path / run))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            paths = set(pool.map(lambda _: engine._lazy_tarball(src), range(8)))
        (made[run],) = paths
    assert made["a"].read_bytes() == made["b"].read_bytes()
    assert sorted(p.name for p in made["a"].parent.iterdir()) == [".lock", made["a"].name]

"""`synth` never loses Terraform state (issue #16, "Why" 0): the default local state lives outside
the output tree, a subset synth leaves other stacks alone, a stale stack directory goes only when
its spec is among the inputs and it holds nothing synth did not write, and a state at the old place
gets a migration notice. The engine is faked (tests/test_cache.py's fixtures): what is tested is
what happens to the output directory."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler import names, pipeline
from mplat import cli
from generators import incremental
from tests.test_cache import _spec, fake_engine, project  # noqa: F401  (fixtures, used below)

pytestmark = pytest.mark.usefixtures("project", "fake_engine")


def _synth(capsys, out: Path, *paths: Path) -> str:
    code = cli.main(["synth", *map(str, paths), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def test_default_local_state_is_outside_the_output_tree(tmp_path):
    spec = _spec(tmp_path, "ranker")
    (model,) = pipeline.run([str(spec)], build_models=True).models
    assert model.state.backend == "local"
    assert model.state.path == "../../../terraform.ranker.tfstate"
    out = tmp_path / "build" / "cdktf.out"
    # terraform runs in <out>/stacks/<stack>: the state lands beside <out>, where cdktf's own
    # LocalBackend default (process.cwd()/terraform.<stack>.tfstate) puts it for ./cdktf.out
    where = (out / "stacks" / model.stack / model.state.path).resolve()
    assert where == (tmp_path / "build" / "terraform.ranker.tfstate").resolve()
    assert out.resolve() not in where.parents


def test_subset_synth_leaves_other_stacks_and_their_state(tmp_path, capsys):
    """The issue's repro: synth both, a tfstate in ranker's directory, synth only the other."""
    ranker, churn = _spec(tmp_path, "ranker"), _spec(tmp_path, "churn")
    out = tmp_path / "cdktf.out"
    _synth(capsys, out, ranker, churn)
    state = out / "stacks" / "ranker" / "terraform.ranker.tfstate"
    state.write_text('{"version": 4}')
    err = _synth(capsys, out, churn)
    assert state.read_text() == '{"version": 4}'
    assert (out / "stacks" / "ranker" / "cdk.tf.json").is_file()
    assert sorted(json.loads((out / "manifest.json").read_text())["stacks"]) == ["churn", "ranker"]
    assert "removed" not in err and "kept" not in err


def test_stale_stack_dir_goes_only_when_it_holds_only_synth_output(tmp_path, capsys):
    spec, other = _spec(tmp_path, "alpha"), _spec(tmp_path, "beta")
    out = tmp_path / "cdktf.out"
    _synth(capsys, out, spec, other)
    spec.write_text(spec.read_text().replace("name: alpha", "name: alpha2"))   # a rename
    err = _synth(capsys, out, spec)
    assert not (out / "stacks" / "alpha").exists()
    assert f"removed {out / 'stacks' / 'alpha'}" in err and "no longer yields stack alpha" in err
    assert (out / "stacks" / "beta" / "cdk.tf.json").is_file()          # not among the inputs

    # once Terraform ran there, the directory is never deleted: it is kept, and it says so
    spec.write_text(spec.read_text().replace("name: alpha2", "name: alpha3"))
    (out / "stacks" / "alpha2" / ".terraform").mkdir()
    (out / "stacks" / "alpha2" / "terraform.alpha2.tfstate").write_text("{}")
    err = _synth(capsys, out, spec)
    assert (out / "stacks" / "alpha2" / "terraform.alpha2.tfstate").read_text() == "{}"
    assert f"kept {out / 'stacks' / 'alpha2'}" in err
    assert ".terraform, terraform.alpha2.tfstate" in err
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["stacks"]) == ["alpha3", "beta"]


def test_a_directory_mplat_has_no_record_of_is_left_alone(tmp_path, capsys):
    spec = _spec(tmp_path, "alpha")
    out = tmp_path / "cdktf.out"
    foreign = out / "stacks" / "handmade"
    foreign.mkdir(parents=True)
    (foreign / "cdk.tf.json").write_text("{}")
    _synth(capsys, out, spec)
    assert (foreign / "cdk.tf.json").read_text() == "{}"


def test_state_at_the_old_place_gets_the_migration_step(tmp_path, capsys):
    spec = _spec(tmp_path, "alpha")
    out = tmp_path / "cdktf.out"
    _synth(capsys, out, spec)
    old = out / "stacks" / "alpha" / names.old_local_state_file("alpha")
    old.write_text("{}")
    for _ in range(2):                         # built, and replayed from the cache
        err = _synth(capsys, out, spec)
        notice = [line for line in err.splitlines() if "old place" in line]
        assert len(notice) == 1, err
        assert f"terraform -chdir={out / 'stacks' / 'alpha'} init -migrate-state" in notice[0]
    assert old.read_text() == "{}"


def test_sources_record_is_relative(tmp_path, capsys):
    spec = _spec(tmp_path, "alpha")
    out = tmp_path / "cdktf.out"
    _synth(capsys, out, spec)
    record = json.loads((out / incremental.SOURCES_FILE).read_text())
    assert record == {"stacks": {"alpha": "../specs/alpha.yaml"}}

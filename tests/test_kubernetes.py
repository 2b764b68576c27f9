"""Kubernetes: the typed model and the intent of the synthesized Terraform.

The cases are synthesized once per module (one stack each) from small merged spec documents.
"""
from __future__ import annotations

import copy
import json

import pytest

from compiler.defaults import resolve_data
from compiler.model import kubernetes as model

BASE = {
    "apiVersion": "mplat/v1",
    "kind": "ModelPlatform",
    "metadata": {"name": "fraud-detector", "owner": "risk-ml"},
    "aws": {"region": "us-east-1", "account_id": "123456789012"},
    "artifacts": {},
}

FULL = {
    "cluster": {"kubeconfig": "~/.kube/config", "context": "staging"},
    "namespace": "ml-serving",
    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:1.4.2",
    "replicas": 3,
    "port": 8080,
    "rolling_update": {"max_surge": "25%", "max_unavailable": 0},
    "min_ready_seconds": 15,
    "progress_deadline_seconds": 420,
    "revision_history_limit": 7,
    "readiness_path": "/healthz",
    "liveness_path": "/livez",
    "resources": {"requests": {"cpu": "500m", "memory": "1Gi"},
                  "limits": {"cpu": 2, "memory": "2Gi", "nvidia.com/gpu": "1"}},
    "disruption_budget": {"min_available": 2},
    "service": {"type": "ClusterIP", "port": 80},
    "env": {"LOG_LEVEL": "info", "WORKERS": "4"},
    "model": {"key": "fraud/model.tar.gz", "version_id": "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"},
}
NEW_VERSION = "Uv9pQ2ZbWn1kX0y7rTgHs4LmA8cDeFjK"

EKS = {
    "cluster": {"eks_cluster": "ml-prod"},
    "namespace": "ml-serving",
    "image": "210987654321.dkr.ecr.us-east-1.amazonaws.com/fraud@sha256:"
             "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "disruption_budget": {"max_unavailable": 1},
    "network_policy": {"from_namespaces": ["ingress-nginx", "monitoring"],
                       "from_pod_labels": {"app": "gateway"}},
}


def document(section: dict, **extra) -> dict:
    data = copy.deepcopy(BASE)
    data["kubernetes"] = copy.deepcopy(section)
    data.update(copy.deepcopy(extra))
    return resolve_data(data)[0]          # the model reads the resolved document


def repinned(section: dict, version_id: str) -> dict:
    section = copy.deepcopy(section)
    section["model"]["version_id"] = version_id
    return section


CASES = {
    "full": (document(FULL), None),
    "repinned": (document(repinned(FULL, NEW_VERSION)), None),
    "eks": (document(EKS, aws={"region": "eu-west-1", "account_id": "210987654321"}), "prod"),
    "minimal": (document({"cluster": {"kubeconfig": "~/.kube/config"},
                          "image": "ghcr.io/acme/ranker:2.0.1"}), None),
    # an image built for another user that writes a cache, in a namespace the stack owns
    "custom": (document({"cluster": {"kubeconfig": "~/.kube/config"}, "namespace": "ranking",
                         "image": "ghcr.io/acme/ranker:2.0.1@sha256:" + "ab" * 32,
                         "create_namespace": True,
                         "security": {"run_as_user": 1000, "run_as_group": 0,
                                      "read_only_root_filesystem": False,
                                      "writable_paths": ["/cache", "/home/app/.cache", "/tmp",
                                                         "/Cache"]}}), None),
}


def synthesize_cases(cases: dict) -> dict[str, dict]:
    """case -> synthesized stack JSON; one stack per case (conftest's synth_kubernetes_cases
    calls it once per session)."""
    from generators import engine
    from generators.kubernetes import Serving

    app = engine.cdktf.Testing.app()
    out = {}
    for case, (data, env) in cases.items():
        stack = engine.cdktf.TerraformStack(app, case)
        engine.aws("provider").AwsProvider(stack, "aws", region=data["aws"]["region"])
        Serving(stack, "kubernetes", spec=model.build(data, env))
        out[case] = json.loads(engine.cdktf.Testing.synth(stack))
    return out


@pytest.fixture(scope="module")
def synthesized(synth_kubernetes_cases) -> dict[str, dict]:
    return synth_kubernetes_cases


def deployment(out: dict) -> dict:
    return out["resource"]["kubernetes_deployment_v1"]["k8s_deployment"]


def container(out: dict) -> dict:
    (c,) = deployment(out)["spec"]["template"]["spec"]["container"]
    return c


def provider(out: dict) -> dict:
    (p,) = out["provider"]["kubernetes"]
    return p


# -- model ----------------------------------------------------------------------------------------
def test_no_section_no_model():
    assert model.build(copy.deepcopy(BASE), None) is None


def test_model_defaults():
    m = model.build(*CASES["minimal"])
    assert m.cluster.kind == "kubeconfig" and m.cluster.kubeconfig == "~/.kube/config"
    assert m.cluster.context is None
    assert m.namespace == "fraud-detector"           # never `default`
    assert (m.replicas, m.port) == (2, 8080)
    assert (m.max_surge, m.max_unavailable) == ("1", "0")
    assert (m.min_ready_seconds, m.progress_deadline_seconds, m.revision_history_limit) == \
        (10, 600, 10)
    assert m.readiness_probe.path == m.liveness_probe.path == "/healthz"
    assert dict(m.requests) and dict(m.limits)
    assert (m.pdb_min_available, m.pdb_max_unavailable) == (None, "1")
    assert (m.service_type, m.service_port) == ("ClusterIP", 80)
    assert m.model is None and m.pod_annotations == ()
    assert not any(name.startswith("MODEL_") for name, _ in m.env)
    assert m.automount_service_account_token is False
    hash(m)


def test_service_account_token_only_when_asked():
    data, env = copy.deepcopy(CASES["minimal"])
    data["kubernetes"]["automount_service_account_token"] = True
    assert model.build(data, env).automount_service_account_token is True


def test_model_pin_uses_the_artifacts_bucket():
    m = model.build(*CASES["full"])
    assert m.model.uri == "s3://fraud-detector-models-123456789012/fraud/model.tar.gz"
    given = document(FULL, artifacts={"bucket": "acme-fraud-models"})
    assert model.build(given, "dev").model.uri == "s3://acme-fraud-models/fraud/model.tar.gz"
    assert model.build(document(FULL), "dev").model.bucket == \
        "fraud-detector-dev-models-123456789012"


def test_model_pin_overrides_a_same_named_env_entry():
    section = copy.deepcopy(FULL)
    section["env"]["MODEL_VERSION_ID"] = "stale"
    env = dict(model.build(document(section), None).env)
    assert env["MODEL_VERSION_ID"] == FULL["model"]["version_id"]


@pytest.mark.parametrize("image, version", [
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:1.4.2", "1.4.2"),
    ("registry.local:5000/team/model:v2", "v2"),
    ("registry.local:5000/team/model:v2@sha256:" + "ab" * 32, "v2"),
    ("ghcr.io/acme/model@sha256:" + "0123456789abcdef" * 4, "0123456789ab"),
])
def test_version_label(image, version):
    assert model.image_version(image) == version


def test_cluster_identity():
    eks = model.build(*CASES["eks"]).cluster
    assert (eks.kind, eks.eks_cluster, eks.account_id, eks.region) == \
        ("eks", "ml-prod", "210987654321", "eu-west-1")
    assert eks.key == "eks:210987654321:eu-west-1:ml-prod"
    kc = model.build(*CASES["full"]).cluster
    assert kc.key == "kubeconfig:~/.kube/config#staging"


# -- synthesized ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(CASES))
def test_addresses_are_fixed(synthesized, case):
    out = synthesized[case]
    addresses = {f"{kind}.{name}" for kind, items in out["resource"].items() for name in items}
    # on EKS mplat creates the pods' ServiceAccount (no model pin here: no model-reader role);
    # the eks case lists network_policy sources
    assert addresses == {"kubernetes_deployment_v1.k8s_deployment",
                         "kubernetes_service_v1.k8s_service",
                         "kubernetes_pod_disruption_budget_v1.k8s_pdb"} | (
        {"kubernetes_service_account_v1.k8s_service_account",
         "kubernetes_network_policy_v1.k8s_network_policy"} if case == "eks" else set()) | (
        {"kubernetes_namespace_v1.k8s_namespace"} if case == "custom" else set())
    data = {f"{kind}.{name}" for kind, items in out.get("data", {}).items() for name in items}
    assert data == ({"aws_eks_cluster.eks_cluster"} if case == "eks" else set())


def test_kubeconfig_provider_kept_as_written(synthesized):
    assert provider(synthesized["full"]) == {"config_path": "~/.kube/config",
                                             "config_context": "staging"}
    assert provider(synthesized["minimal"]) == {"config_path": "~/.kube/config"}


def test_eks_provider_uses_the_cluster_and_a_token_command(synthesized):
    out = synthesized["eks"]
    assert out["data"]["aws_eks_cluster"]["eks_cluster"] == {"name": "ml-prod",
                                                             "region": "eu-west-1"}
    p = provider(out)
    assert p["host"] == "${data.aws_eks_cluster.eks_cluster.endpoint}"
    assert p["cluster_ca_certificate"] == \
        "${base64decode(data.aws_eks_cluster.eks_cluster.certificate_authority[0].data)}"
    assert p["exec"] == [{
        "api_version": "client.authentication.k8s.io/v1beta1",
        "command": "aws",
        "args": ["eks", "get-token", "--cluster-name", "ml-prod", "--region", "eu-west-1"],
    }]
    assert "token" not in p and "config_path" not in p


def test_rolling_update_is_what_the_spec_says(synthesized):
    d = deployment(synthesized["full"])
    assert d["metadata"]["name"] == "fraud-detector"
    assert d["metadata"]["namespace"] == "ml-serving"
    spec = d["spec"]
    assert spec["replicas"] == "3"
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rolling_update": {"max_surge": "25%", "max_unavailable": "0"}}
    assert spec["min_ready_seconds"] == 15
    assert spec["progress_deadline_seconds"] == 420
    assert spec["revision_history_limit"] == 7
    assert d["wait_for_rollout"] is True
    for key in ("create", "update"):
        timeout = d["timeouts"][key]
        assert timeout.endswith("s") and int(timeout[:-1]) > spec["progress_deadline_seconds"]


def test_probes_and_resources(synthesized):
    c = container(synthesized["full"])
    assert c["port"] == [{"name": "http", "container_port": 8080, "protocol": "TCP"}]
    assert c["readiness_probe"]["http_get"] == {"path": "/healthz", "port": "http",
                                                "scheme": "HTTP"}
    assert c["liveness_probe"]["http_get"] == {"path": "/livez", "port": "http", "scheme": "HTTP"}
    assert c["startup_probe"]["http_get"]["path"] == "/livez"
    assert c["resources"] == {"requests": {"cpu": "500m", "memory": "1Gi"},
                              "limits": {"cpu": "2", "memory": "2Gi", "nvidia.com/gpu": "1"}}
    # (a number in the spec becomes a quantity string)
    assert c["image"] == FULL["image"]


@pytest.mark.parametrize("case", ["full", "eks", "minimal"])
def test_pod_is_hardened(synthesized, case):
    d = deployment(synthesized[case])
    pod = d["spec"]["template"]["spec"]
    c = container(synthesized[case])
    # Always for a tag; a digest is left to Kubernetes' default, IfNotPresent (model docstring)
    assert c.get("image_pull_policy") == (None if "@" in c["image"] else "Always")
    sc = c["security_context"]
    assert sc["run_as_non_root"] is True and int(sc["run_as_user"]) >= 10000
    assert sc["read_only_root_filesystem"] is True
    assert sc["allow_privilege_escalation"] is False and sc["privileged"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["seccomp_profile"] == {"type": "RuntimeDefault"}
    assert pod["security_context"]["run_as_non_root"] is True
    assert pod["security_context"]["seccomp_profile"] == {"type": "RuntimeDefault"}
    assert pod["automount_service_account_token"] is False
    # the read-only root filesystem gets a writable /tmp
    assert {"name": "tmp", "mount_path": "/tmp"} in c["volume_mount"]
    assert {"name": "tmp", "empty_dir": {}} in pod["volume"]
    assert c["resources"]["requests"] and c["resources"]["limits"]
    assert "readiness_probe" in c and "liveness_probe" in c
    assert d["metadata"]["namespace"] != "default"


def test_env_carries_the_model_pin(synthesized):
    c = container(synthesized["full"])
    assert c["env"] == [
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "WORKERS", "value": "4"},
        {"name": "MODEL_URI", "value": "s3://fraud-detector-models-123456789012/fraud/model.tar.gz"},
        {"name": "MODEL_VERSION_ID", "value": FULL["model"]["version_id"]},
    ]
    template = deployment(synthesized["full"])["spec"]["template"]["metadata"]
    assert template["annotations"] == {"mplat.io/model-version-id": FULL["model"]["version_id"]}


def _diff(a, b, path=()):
    """Paths where two JSON values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _diff(a.get(key), b.get(key), path + (key,))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diff(x, y, path + (i,))
    elif a != b:
        yield path


def test_repinning_the_model_changes_only_the_pod_template(synthesized):
    before, after = synthesized["full"], synthesized["repinned"]
    changed = list(_diff(before, after))
    template = ("resource", "kubernetes_deployment_v1", "k8s_deployment", "spec", "template")
    assert changed, "changing model.version_id must change the stack"
    assert all(path[:len(template)] == template for path in changed), changed
    env = {e["name"]: e["value"] for e in container(after)["env"]}
    assert env["MODEL_VERSION_ID"] == NEW_VERSION
    assert deployment(after)["spec"]["template"]["metadata"]["annotations"] == \
        {"mplat.io/model-version-id": NEW_VERSION}


def test_labels_and_selectors(synthesized):
    out = synthesized["full"]
    d = deployment(out)
    labels = d["metadata"]["labels"]
    assert labels == {
        "app.kubernetes.io/name": "fraud-detector",
        "app.kubernetes.io/instance": "fraud-detector",
        "app.kubernetes.io/version": "1.4.2",
        "app.kubernetes.io/component": "model-server",
        "app.kubernetes.io/part-of": "fraud-detector",
        "app.kubernetes.io/managed-by": "mplat",
    }
    selector = d["spec"]["selector"]["match_labels"]
    assert selector == {"app.kubernetes.io/name": "fraud-detector",
                        "app.kubernetes.io/instance": "fraud-detector"}
    assert d["spec"]["template"]["metadata"]["labels"] == labels
    svc = out["resource"]["kubernetes_service_v1"]["k8s_service"]
    assert svc["spec"]["selector"] == selector
    pdb = out["resource"]["kubernetes_pod_disruption_budget_v1"]["k8s_pdb"]
    assert pdb["spec"]["selector"] == {"match_labels": selector}
    eks = deployment(synthesized["eks"])
    assert eks["metadata"]["labels"]["app.kubernetes.io/instance"] == "fraud-detector-prod"
    assert eks["metadata"]["labels"]["app.kubernetes.io/version"] == "0123456789ab"


def test_service_and_disruption_budget(synthesized):
    out = synthesized["full"]
    svc = out["resource"]["kubernetes_service_v1"]["k8s_service"]
    assert svc["metadata"]["name"] == "fraud-detector"
    assert svc["metadata"]["namespace"] == "ml-serving"
    assert svc["spec"]["type"] == "ClusterIP"
    assert svc["spec"]["port"] == [{"name": "http", "port": 80, "target_port": "http",
                                    "protocol": "TCP"}]
    pdb = out["resource"]["kubernetes_pod_disruption_budget_v1"]["k8s_pdb"]["spec"]
    assert pdb["min_available"] == "2" and "max_unavailable" not in pdb
    eks = synthesized["eks"]["resource"]["kubernetes_pod_disruption_budget_v1"]["k8s_pdb"]["spec"]
    assert eks["max_unavailable"] == "1" and "min_available" not in eks


@pytest.mark.parametrize("case", sorted(CASES))
def test_cases_are_valid_specs(case):
    """The documents above are what the schema accepts (the model trusts the schema's shapes)."""
    from compiler.schema import validator
    data, _ = CASES[case]
    assert [e.message for e in validator().iter_errors(data)] == []


def test_service_account_of_the_pods():
    """EKS: mplat creates the ServiceAccount (default <name>, never the namespace's existing
    "default"); kubeconfig: the named one is used, none is created."""
    eks = model.build(*CASES["eks"])
    assert (eks.service_account, eks.create_service_account) == ("fraud-detector", True)
    named = model.build(document({**EKS, "service_account": "reader"},
                                 aws={"region": "eu-west-1", "account_id": "210987654321"}), "prod")
    assert (named.service_account, named.create_service_account) == ("reader", True)
    default = model.build(document({**EKS, "service_account": "default"},
                                   aws={"region": "eu-west-1", "account_id": "210987654321"}), "prod")
    assert (default.service_account, default.create_service_account) == ("default", False)
    full = model.build(*CASES["full"])
    assert (full.service_account, full.create_service_account, full.model_reader) == \
        (None, False, None)


def test_network_policy_admits_the_listed_sources_on_the_container_port_only(synthesized):
    (policy,) = synthesized["eks"]["resource"]["kubernetes_network_policy_v1"].values()
    spec = policy["spec"]
    assert policy["metadata"]["name"] == "fraud-detector"
    assert policy["metadata"]["namespace"] == "ml-serving"
    assert spec["pod_selector"] == deployment(synthesized["eks"])["spec"]["selector"]
    assert spec["policy_types"] == ["Ingress"]
    (rule,) = spec["ingress"]
    assert rule["ports"] == [{"port": "8080", "protocol": "TCP"}]
    assert rule["from"] == [
        {"namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
        {"namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "monitoring"}}},
        {"pod_selector": {"match_labels": {"app": "gateway"}}},
    ]
    assert "egress" not in spec              # egress stays open: the model is read from S3
    for case in ("full", "minimal"):         # no sources listed: no NetworkPolicy
        assert "kubernetes_network_policy_v1" not in synthesized[case]["resource"]


def test_security_is_what_the_spec_says(synthesized):
    d = deployment(synthesized["custom"])
    pod = d["spec"]["template"]["spec"]
    c = container(synthesized["custom"])
    sc = c["security_context"]
    assert (sc["run_as_user"], sc["run_as_group"], sc["read_only_root_filesystem"]) == \
        ("1000", "0", False)
    assert (pod["security_context"]["run_as_user"], pod["security_context"]["fs_group"]) == \
        ("1000", "0")
    # the hardening that is not configurable stays
    assert sc["run_as_non_root"] is True and sc["allow_privilege_escalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    # one emptyDir per writable path, /tmp once, names derived from the paths
    assert c["volume_mount"] == [{"name": "tmp", "mount_path": "/tmp"},
                                 {"name": "cache", "mount_path": "/cache"},
                                 {"name": "home-app-cache", "mount_path": "/home/app/.cache"},
                                 {"name": "writable-3", "mount_path": "/Cache"}]
    assert pod["volume"] == [{"name": v["name"], "empty_dir": {}} for v in c["volume_mount"]]
    assert "image_pull_policy" not in c          # a digest: Kubernetes' IfNotPresent


def test_default_security_matches_the_schema_defaults():
    from compiler.defaults import default
    m = model.build(*CASES["minimal"])
    assert (m.run_as_user, m.run_as_group, m.read_only_root_filesystem) == \
        (default("kubernetes", "security", "run_as_user"),
         default("kubernetes", "security", "run_as_group"), True)
    assert m.run_as_user >= 10000 and m.writable_volumes == (("tmp", "/tmp"),)
    assert m.image_pull_policy == "Always" and m.create_namespace is False


@pytest.mark.parametrize("image, policy", [
    ("ghcr.io/acme/ranker:2.0.1", "Always"),
    ("registry.local:5000/team/model:v2", "Always"),
    ("ghcr.io/acme/model@sha256:" + "0" * 64, None),
    ("ghcr.io/acme/model:v2@sha256:" + "0" * 64, None),
])
def test_image_pull_policy_follows_the_image(image, policy):
    assert model.image_pull_policy(image) == policy


def test_create_namespace_owns_the_namespace_and_everything_waits_for_it(synthesized):
    out = synthesized["custom"]
    ns = out["resource"]["kubernetes_namespace_v1"]["k8s_namespace"]
    assert ns["metadata"]["name"] == "ranking" and "namespace" not in ns["metadata"]
    assert ns["lifecycle"] == {"prevent_destroy": True}
    for rtype, items in out["resource"].items():
        if rtype != "kubernetes_namespace_v1":
            for item in items.values():
                assert item["depends_on"] == ["kubernetes_namespace_v1.k8s_namespace"], rtype
                assert item["metadata"]["namespace"] == "ranking"
    assert all("depends_on" not in item for rtype, items in synthesized["full"]["resource"].items()
               for item in items.values())

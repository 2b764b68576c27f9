"""Every synthesized Kubernetes object, checked against the Kubernetes API (no cluster needed).

Each ``kubernetes_*`` resource of every stack with a ``kubernetes`` section (the examples, the
partition and review test specs, tests/test_kubernetes.py's cases: conftest's
``kubernetes_stacks``, synthesized once per session) is converted to the object provider
hashicorp/kubernetes 2.38.0 sends (tools/k8s_manifests.py) and validated in strict mode (an unknown
field is an error) against the API's OpenAPI schemas of every Kubernetes version the README
supports, as shipped by ``kubernetes-validate`` (requirements-test.lock). All errors are listed,
not just the first. Then the checks the schema cannot make, as plain asserts: probe ports, selectors,
port names, quantities, requests <= limits, the pods' ServiceAccount.

What stays unverified without a cluster is listed in the README ("What is not verified without a
cluster").
"""
from __future__ import annotations

import copy
import functools
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import referencing
import yaml
from kubernetes_validate import utils as kv

from tools import k8s_manifests
from tools.k8s_manifests import KUBERNETES_VERSIONS, UnknownAttribute

ROOT = Path(__file__).resolve().parent.parent


# ---- the API's schemas ---------------------------------------------------------------------------
@functools.cache
def _registry(version: str) -> tuple[str, referencing.Registry]:
    directory = f"kubernetes-json-schema/v{version}.0-local-strict"
    defs = kv.schema_contents(f"{directory}/_definitions.json", version)
    return directory, referencing.Resource.from_contents(defs) @ referencing.Registry()


@functools.cache
def _validator(version: str, api_version: str, kind: str) -> jsonschema.Validator:
    """The strict schema of one kind, selected as kubernetes_validate.utils.validate does."""
    directory, registry = _registry(version)
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = kv.schema_contents(f"{directory}/{kind.lower()}-{group}.json", version)
    return jsonschema.Draft202012Validator(schema, registry=registry)


def api_errors(manifest: dict, version: str) -> list[str]:
    """Every schema error of one object (``path: message``), not just the first."""
    validator = _validator(version, manifest["apiVersion"], manifest["kind"])
    return sorted(f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}"
                  for e in validator.iter_errors(manifest))


@pytest.fixture(scope="module")
def objects(kubernetes_stacks) -> dict[str, dict]:
    """'<stack label> <address>' -> the manifest the provider sends."""
    return {f"{label} {address}": manifest
            for label, doc in kubernetes_stacks.items()
            for address, manifest in k8s_manifests.manifests(doc).items()}


def by_kind(objects: dict, stack: str, kind: str) -> list[dict]:
    return [m for key, m in objects.items() if key.split(" ")[0] == stack and m["kind"] == kind]


# ---- schema validation ---------------------------------------------------------------------------
def test_every_object_is_valid_for_every_supported_version(objects):
    assert len(objects) >= 68          # 19 stacks, 68 objects: no stack or object went missing
    errors = [f"{key} (Kubernetes {v}) {err}"
              for key, manifest in objects.items() for v in KUBERNETES_VERSIONS
              for err in api_errors(manifest, v)]
    assert errors == [], "\n".join(errors)


def test_every_spec_with_a_kubernetes_section_is_checked(kubernetes_stacks):
    """Each example and test spec file with a kubernetes section has its stacks in the check."""
    from compiler import pipeline
    labels = {label.split("/", 1)[1] for label in kubernetes_stacks}
    files = sorted((ROOT / "specs").glob("*.yaml")) + sorted((ROOT / "tests" / "data").rglob("*.yaml"))
    missing = []
    for path in files:
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError:                          # a deliberately broken input file
            continue
        if not isinstance(data, dict) or "kubernetes" not in data:
            continue
        if not pipeline.run([str(path)]).ok:           # refused by validate: never applied
            continue
        envs = data.get("environments") or {}
        name = data["metadata"]["name"]
        stacks = [f"{name}-{e}" for e in envs if (envs[e] or {}).get("kubernetes", ...) is not None]
        missing += [f"{path.relative_to(ROOT)}: {s}" for s in stacks or [name] if s not in labels]
    assert missing == []
    assert {label.split("/")[0] for label in kubernetes_stacks} >= \
        {"specs", "partitions", "review-base", "review-head", "test_kubernetes"}


def test_the_readme_names_the_supported_versions():
    text = (ROOT / "README.md").read_text()
    assert f"Kubernetes {KUBERNETES_VERSIONS[0]}-{KUBERNETES_VERSIONS[-1]}" in text


def test_the_converter_follows_the_pinned_provider(kubernetes_stacks):
    for label, doc in kubernetes_stacks.items():
        if label.startswith("test_kubernetes/"):       # Testing.synth: no required_providers
            continue
        pin = doc["terraform"]["required_providers"]["kubernetes"]["version"]
        assert pin == k8s_manifests.PROVIDER_VERSION, label


# ---- the check can fail ----------------------------------------------------------------------------
def _container(d: dict) -> dict:
    return d["spec"]["template"]["spec"]["containers"][0]


def _rename(obj: dict, old: str, new: str) -> None:
    obj[new] = obj.pop(old)


# Mistakes a converter (or a generator) could make, each applied to a real object
PLANTED = {
    "container block not pluralised": ("Deployment", lambda d: _rename(
        d["spec"]["template"]["spec"], "containers", "container")),
    "port block not pluralised": ("Deployment", lambda d: _rename(_container(d), "ports", "port")),
    "volume_mount kept in snake case": ("Deployment", lambda d: _rename(
        _container(d), "volumeMounts", "volume_mount")),
    "env pluralised": ("Deployment", lambda d: _rename(_container(d), "env", "envs")),
    "replicas sent as the Terraform string": ("Deployment", lambda d: d["spec"].update(
        replicas=str(d["spec"]["replicas"]))),
    "runAsUser sent as the Terraform string": ("Deployment", lambda d: _container(d)[
        "securityContext"].update(runAsUser="10001")),
    "fsGroup sent as the Terraform string": ("Deployment", lambda d: d["spec"]["template"][
        "spec"]["securityContext"].update(fsGroup="10001")),
    "single block sent as a list": ("Deployment", lambda d: _container(d).update(
        readinessProbe=[_container(d)["readinessProbe"]])),
    "Deployment selector as a plain map": ("Deployment", lambda d: d["spec"].update(
        selector=d["spec"]["selector"]["matchLabels"])),
    "maxSurge as an object": ("Deployment", lambda d: d["spec"]["strategy"]["rollingUpdate"].update(
        maxSurge={"intVal": 1})),
    "map attribute as a list of pairs": ("Deployment", lambda d: _container(d)["resources"].update(
        limits=[{"name": k, "value": v} for k, v in _container(d)["resources"]["limits"].items()])),
    "probe port as a block": ("Deployment", lambda d: _container(d)["livenessProbe"]["httpGet"]
                              .update(port={"name": "http"})),
    "Service selector as a LabelSelector block": ("Service", lambda s: s["spec"].update(
        selector={"matchLabels": s["spec"]["selector"]})),
    "Service port not pluralised": ("Service", lambda s: _rename(s["spec"], "ports", "port")),
    "PodDisruptionBudget selector as a plain map": ("PodDisruptionBudget", lambda p: p["spec"]
                                                    .update(selector=p["spec"]["selector"]
                                                            ["matchLabels"])),
    "a Terraform-only attribute sent": ("Deployment", lambda d: d.update(wait_for_rollout=True)),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_a_planted_mistake_is_refused_by_every_version(objects, mistake):
    kind, plant = PLANTED[mistake]
    original = next(m for key, m in objects.items()
                    if key.startswith("specs/fraud-detector-prod ") and m["kind"] == kind)
    broken = copy.deepcopy(original)
    plant(broken)
    assert broken != original
    for version in KUBERNETES_VERSIONS:
        assert api_errors(original, version) == []
        assert api_errors(broken, version), f"{mistake}: accepted by Kubernetes {version}"


def _deployment_config(objects_doc: dict) -> dict:
    return copy.deepcopy(objects_doc["resource"]["kubernetes_deployment_v1"]["k8s_deployment"])


@pytest.mark.parametrize("plant, message", [
    (lambda r: r["spec"]["template"]["spec"]["container"][0].update(lifecycle_hook={}),
     r"container\[0\]: attribute\(s\) the converter does not know: lifecycle_hook"),
    (lambda r: r["spec"]["template"]["spec"].update(toleration=[{"key": "gpu"}]),
     "does not know: toleration"),
    (lambda r: r["spec"].update(replicas="three"), r"'three' is not an integer"),
    (lambda r: r["metadata"].update(namespace="${var.namespace}"), "Terraform expression"),
    (lambda r: r["spec"]["template"]["spec"]["container"][0].update(port={"container_port": "x"}),
     "is not a Terraform int"),
])
def test_the_converter_refuses_what_it_does_not_know(kubernetes_stacks, plant, message):
    """A new attribute or block fails here until the converter learns how the provider sends it."""
    resource = _deployment_config(kubernetes_stacks["specs/fraud-detector-prod"])
    plant(resource)
    with pytest.raises(UnknownAttribute, match=message):
        k8s_manifests.convert("kubernetes_deployment_v1", resource)


def test_the_converter_refuses_an_unknown_resource_type():
    with pytest.raises(UnknownAttribute, match="kubernetes_ingress_v1 is not one the converter"):
        k8s_manifests.manifests({"resource": {"kubernetes_ingress_v1": {"x": {"metadata": {}}}}})


def test_terraform_conversions_and_sdk_defaults():
    """Terraform turns a number written for a string attribute into text (and back for an int);
    the provider then parses replicas/run_as_user as integers and sends the SDK defaults it copies
    into pointers or non-zero values (expandPodSpec, expandContainers, expandProbe)."""
    d = k8s_manifests.convert("kubernetes_deployment_v1", {
        "metadata": {"name": "m"},
        "spec": {"replicas": 3, "selector": {"match_labels": {"app": "m"}},
                 "template": {"metadata": {"labels": {"app": "m"}}, "spec": {"container": [{
            "name": "c", "image": "i:1", "readiness_probe": {"http_get": {"port": 8080}},
            "security_context": {"run_as_user": 10001}}]}}}})
    assert d["metadata"] == {"name": "m", "namespace": "default"}
    spec = d["spec"]
    assert (spec["replicas"], spec["progressDeadlineSeconds"], spec["revisionHistoryLimit"]) == \
        (3, 600, 10)
    assert "minReadySeconds" not in spec and "paused" not in spec       # omitempty zero values
    pod = spec["template"]["spec"]
    assert (pod["automountServiceAccountToken"], pod["enableServiceLinks"],
            pod["shareProcessNamespace"], pod["terminationGracePeriodSeconds"]) == \
        (True, True, False, 30)
    c = pod["containers"][0]
    assert c["readinessProbe"] == {"httpGet": {"port": 8080, "scheme": "HTTP"},
                                   "failureThreshold": 3, "periodSeconds": 10,
                                   "successThreshold": 1, "timeoutSeconds": 1}
    assert c["securityContext"] == {"allowPrivilegeEscalation": True, "privileged": False,
                                    "readOnlyRootFilesystem": False, "runAsNonRoot": False,
                                    "runAsUser": 10001}
    for version in KUBERNETES_VERSIONS:
        assert api_errors(d, version) == []


# ---- what the schema cannot check -------------------------------------------------------------------
# The Kubernetes quantity grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go, ParseQuantity),
# written here independently of compiler/rules/kubernetes_resources.py
_QUANTITY = re.compile(r"^(?P<n>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
                       r"(?P<s>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_SUFFIX = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_IANA_SVC_NAME = re.compile(r"^(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]*[a-z0-9])?$")  # validation.IsValidPortName


def quantity(text) -> Decimal:
    m = _QUANTITY.match(str(text))
    assert m, f"{text!r} is not a Kubernetes quantity"
    n, s = Decimal(m["n"]), m["s"] or ""
    if s.endswith("i"):
        return n * 1024 ** ("KMGTPE".index(s[0]) + 1)
    return n.scaleb(int(s[1:]) if s[:1] in "eE" and s else _SUFFIX[s])


def _pods(objects):
    for key, d in objects.items():
        if d["kind"] == "Deployment":
            yield key, d, d["spec"]["template"]


def test_probe_ports_name_a_container_port(objects):
    checked = 0
    for key, _, template in _pods(objects):
        for c in template["spec"]["containers"]:
            names = {p.get("name") for p in c.get("ports", [])}
            numbers = {p["containerPort"] for p in c.get("ports", [])}
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                port = c[probe]["httpGet"]["port"]
                assert port in (numbers if isinstance(port, int) else names), (key, probe, port)
                checked += 1
    assert checked >= 3 * 10


def test_selectors_match_the_pod_labels(objects):
    stacks = {key.split(" ")[0] for key in objects}
    for stack in stacks:
        (deployment,) = by_kind(objects, stack, "Deployment")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        selectors = [("Deployment", deployment["spec"]["selector"]["matchLabels"])]
        selectors += [("Service", s["spec"]["selector"]) for s in by_kind(objects, stack, "Service")]
        selectors += [("PodDisruptionBudget", p["spec"]["selector"]["matchLabels"])
                      for p in by_kind(objects, stack, "PodDisruptionBudget")]
        selectors += [("NetworkPolicy", n["spec"]["podSelector"].get("matchLabels", {}))
                      for n in by_kind(objects, stack, "NetworkPolicy")]
        assert len(selectors) >= 3, stack
        for kind, selector in selectors:
            assert selector and selector.items() <= labels.items(), (stack, kind, selector)


def test_port_names_are_iana_service_names(objects):
    for key, d in objects.items():
        ports = []
        if d["kind"] == "Deployment":
            ports = [p for c in d["spec"]["template"]["spec"]["containers"] for p in c["ports"]]
        elif d["kind"] == "Service":
            ports = d["spec"]["ports"]
            ports += [{"name": p["targetPort"]} for p in ports if isinstance(p["targetPort"], str)]
        for p in ports:
            assert len(p["name"]) <= 15 and _IANA_SVC_NAME.match(p["name"]), (key, p)


def test_every_quantity_parses_and_requests_are_at_most_limits(objects):
    for key, _, template in _pods(objects):
        for c in template["spec"]["containers"]:
            requests = {k: quantity(v) for k, v in c["resources"].get("requests", {}).items()}
            limits = {k: quantity(v) for k, v in c["resources"].get("limits", {}).items()}
            assert requests and limits, key
            for name in requests.keys() & limits.keys():
                assert requests[name] <= limits[name], (key, name)
        for v in template["spec"].get("volumes", []):
            if "sizeLimit" in v.get("emptyDir", {}):
                quantity(v["emptyDir"]["sizeLimit"])


def test_the_pods_service_account_exists_or_is_documented_as_pre_existing(objects,
                                                                        kubernetes_stacks):
    """EKS: the stack creates it. kubeconfig: the spec names one that must exist (documented in
    the schema's kubernetes.service_account); none named: the namespace's own 'default'."""
    schema_doc = (ROOT / "schemas" / "model-platform.schema.json").read_text()
    assert "With a kubeconfig cluster it must already exist in the namespace" in schema_doc
    for stack in {key.split(" ")[0] for key in objects}:
        (deployment,) = by_kind(objects, stack, "Deployment")
        pod = deployment["spec"]["template"]["spec"]
        account = pod.get("serviceAccountName")
        created = {(sa["metadata"]["namespace"], sa["metadata"]["name"])
                   for sa in by_kind(objects, stack, "ServiceAccount")}
        namespace = deployment["metadata"]["namespace"]
        provider = kubernetes_stacks[stack]["provider"]["kubernetes"][0]
        if "exec" in provider:                              # EKS: mplat creates it
            assert account == "default" or (namespace, account) in created, stack
        else:                                               # kubeconfig: pre-existing or default
            assert created == set(), stack
        if account is None:
            assert pod["automountServiceAccountToken"] is False, stack

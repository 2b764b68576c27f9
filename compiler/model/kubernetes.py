"""The typed model of the ``kubernetes`` section: rolling updates of model serving.

``build(data, env)`` turns the resolved document of one stack (``compiler.defaults``) into a frozen
:class:`Kubernetes` with every default applied, so that the generator only translates it into a
provider, a Deployment, a Service and a PodDisruptionBudget. ``None`` when the stack has no
``kubernetes`` section.

Defaults (where the contract is silent, chosen as a platform team would):

* ``cluster`` (required) — a kubeconfig without ``context`` uses its current context. The kubeconfig
  path is kept exactly as written (no ``~`` expansion) so that output is the same on every machine.
  An ``eks_cluster`` is identified with ``aws.account_id`` and ``aws.region``.
* ``namespace`` — the spec's name (never ``default``; the namespace must exist).
* ``replicas`` 2; ``port`` 8080; ``rolling_update`` ``{max_surge: 1, max_unavailable: 0}`` (one
  extra pod at a time, never below the desired count); ``min_ready_seconds`` 10 (a pod must stay
  ready for 10 s before it counts, so a model that crashes right after loading stops the rollout);
  ``progress_deadline_seconds`` 600; ``revision_history_limit`` 10.
* ``readiness_path`` ``/healthz``; ``liveness_path`` defaults to the readiness path. Probes: a
  startup probe on the liveness path (every 10 s, up to 30 failures: 5 minutes to load a model before
  liveness applies), readiness every 5 s (3 failures), liveness every 10 s (3 failures), 2 s timeouts.
* ``resources`` — requests ``{cpu: 250m, memory: 512Mi}``, limits ``{cpu: "1", memory: 1Gi}`` when
  the section is absent; a cpu or memory limit the spec leaves out equals its request, a request
  it leaves out equals its limit (every container gets requests and limits); a limit of ``none``
  is left out of the container (an explicit opt-out, a warning of ``validate``).
* ``disruption_budget`` — ``{max_unavailable: 1}`` (a drain may take one pod at a time and can never
  block forever); ``service`` — ``{type: ClusterIP, port: 80}`` targeting the named port ``http``.
* Pod hardening (``kubernetes.security``; the schema says why each default): UID/GID 10001 (a high
  UID outside the host's range), non-root, read-only root filesystem with an ``emptyDir`` on
  ``/tmp`` and one per ``writable_paths`` entry (``names.writable_volumes``), no privilege
  escalation, all capabilities dropped, seccomp ``RuntimeDefault``, image pull policy ``Always``
  for a tag and Kubernetes' ``IfNotPresent`` for a digest (:func:`image_pull_policy`), no
  service-account API token mounted unless ``automount_service_account_token: true`` (IRSA / Pod
  Identity credentials do not need it).
* ``create_namespace`` — false: the namespace must exist; true: the stack creates it
  (``kubernetes_namespace_v1``, ``prevent_destroy``) and every object depends on it.
* ``service_account`` — the ServiceAccount the pods run as. On an EKS cluster mplat creates it
  (default ``<name>``) and, with a ``model`` pin, an IAM role ``<stack>-model-reader`` bound to it by
  EKS Pod Identity that may only ``s3:GetObject``/``s3:GetObjectVersion`` under the model key's
  directory and ``kms:Decrypt`` the artifacts key through S3. On a kubeconfig cluster it must exist
  already (its AWS identity is managed outside mplat); without it the pods run as ``default``.
* ``model`` → env ``MODEL_URI=s3://<artifacts bucket>/<key>`` and ``MODEL_VERSION_ID``, and the
  pod-template annotation ``mplat.io/model-version-id`` so that changing the pin rolls the pods.
  Both are appended after the spec's ``env`` and take precedence over a same-named entry.
* ``network_policy`` — none unless the spec lists sources (``kubernetes.network_policy``): then a
  NetworkPolicy ``<name>`` selecting the pods admits ingress on the container port only, from any
  pod of each listed namespace (``kubernetes.io/metadata.name``) and from pods of the model's own
  namespace carrying all of ``from_pod_labels``. The schema's description says why there is no
  default policy.
* ``wait_for_rollout`` with create/update timeouts of ``2 x progress_deadline_seconds + replicas x
  min_ready_seconds``: longer than the deadline, so Kubernetes' own ProgressDeadlineExceeded is what
  fails a bad rollout.
* Labels (``app.kubernetes.io/*``): ``name`` = spec name, ``instance`` = stack name, ``version`` =
  image tag (or the first 12 hex digits of a digest), ``component`` = ``model-server``, ``part-of`` =
  spec name, ``managed-by`` = ``mplat``. The selector uses only ``name`` and ``instance`` (a selector
  is immutable; the version changes with every release).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from compiler import names
from compiler.defaults import NO_LIMIT

PORT_NAME = "http"
CONTAINER_NAME = "model-server"
COMPONENT = "model-server"
MODEL_VERSION_ANNOTATION = "mplat.io/model-version-id"

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True)
class Cluster:
    """Either a kubeconfig (+ optional context) or an EKS cluster (+ account and region)."""
    kind: str                          # "kubeconfig" | "eks"
    kubeconfig: str | None = None
    context: str | None = None
    eks_cluster: str | None = None
    account_id: str | None = None
    region: str | None = None

    @property
    def key(self) -> str:
        """A stable identity of the cluster (for cross-stack checks and reports)."""
        if self.kind == "eks":
            return f"eks:{self.account_id or '-'}:{self.region}:{self.eks_cluster}"
        return f"kubeconfig:{self.kubeconfig}#{self.context or ''}"


@dataclass(frozen=True)
class Probe:
    path: str
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int
    success_threshold: int          # 1: Kubernetes rejects any other on liveness and startup
    initial_delay_seconds: int = 0


@dataclass(frozen=True)
class ModelPin:
    bucket: str
    key: str
    version_id: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class ModelReader:
    """The AWS identity of the model server's pods on an EKS cluster (EKS Pod Identity): an IAM
    role that may only read the pinned model's key prefix and decrypt it through S3."""
    role: str                                   # <stack>-model-reader
    cluster: str                                # the EKS cluster of the association
    bucket_arn: str
    object_arn: str                             # <bucket ARN>/<key's directory>/* (or the key)
    kms_via_service: str | None                 # s3.<region>.<suffix> when the bucket uses KMS
    partition: str


@dataclass(frozen=True)
class NetworkPolicy:
    """Ingress to the pods only on the container port, only from these sources (each a peer of
    its own: any pod of a listed namespace, or a pod of the model's namespace with all labels)."""
    from_namespaces: tuple[str, ...]
    from_pod_labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Kubernetes:
    cluster: Cluster
    name: str                                   # Deployment, Service and PDB name
    namespace: str
    labels: tuple[tuple[str, str], ...]         # on every object and on the pod template
    selector: tuple[tuple[str, str], ...]       # immutable subset of labels
    image: str
    replicas: int
    port: int
    port_name: str
    container_name: str
    max_surge: str
    max_unavailable: str
    min_ready_seconds: int
    progress_deadline_seconds: int
    revision_history_limit: int
    startup_probe: Probe
    readiness_probe: Probe
    liveness_probe: Probe
    requests: tuple[tuple[str, str], ...]
    limits: tuple[tuple[str, str], ...]
    env: tuple[tuple[str, str], ...]            # spec env, then MODEL_URI, MODEL_VERSION_ID
    pod_annotations: tuple[tuple[str, str], ...]
    model: ModelPin | None
    run_as_user: int
    run_as_group: int
    read_only_root_filesystem: bool
    writable_volumes: tuple[tuple[str, str], ...]   # (emptyDir volume name, mount path), /tmp first
    image_pull_policy: str | None                # None: Kubernetes' default (IfNotPresent) for a digest
    automount_service_account_token: bool
    service_type: str
    service_port: int
    pdb_min_available: str | None
    pdb_max_unavailable: str | None
    wait_for_rollout: bool
    rollout_timeout: str                        # Terraform duration, e.g. "1230s"
    # the pods' identity: the ServiceAccount they run as (None: the namespace's default one);
    # on EKS mplat creates it, and with a model pin a scoped IAM role bound by EKS Pod Identity
    service_account: str | None = None
    create_service_account: bool = False
    model_reader: ModelReader | None = None
    network_policy: NetworkPolicy | None = None   # None: mplat creates no NetworkPolicy
    create_namespace: bool = False               # the stack creates and owns the namespace


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def image_version(image: str) -> str:
    """The label value for ``app.kubernetes.io/version``: the tag, else 12 hex digits of the digest."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    if tag:
        value = tag[:63].rstrip("-_.")
        if _LABEL_VALUE.match(value):
            return value
    if digest:
        return digest.split(":", 1)[-1][:12]
    return ""


def image_pull_policy(image: str) -> str | None:
    """``Always`` for a tag (the registry is asked each time, so a re-pushed tag and revoked pull
    credentials are noticed); for an ``@sha256`` digest the content cannot change, so the node's
    cached copy is enough: left unset, which Kubernetes defaults to ``IfNotPresent`` for an image
    whose tag is not ``latest`` (SetDefaults_Container, pkg/apis/core/v1/defaults.go; a reference
    with only a digest has no tag). Unset rather than
    written: Checkov's Terraform CKV_K8S_15 fails any explicit policy other than Always, digest or
    not, while it passes an unset one for a digest (as its kubernetes-framework check does)."""
    return None if "@" in image else "Always"


def _cluster(k8s: dict, data: dict) -> Cluster:
    c = k8s["cluster"]
    aws = data.get("aws") or {}
    if c.get("eks_cluster"):
        account = names.account_id(data)
        return Cluster(kind="eks", eks_cluster=c["eks_cluster"],
                       account_id=str(account) if account else None, region=aws.get("region"))
    return Cluster(kind="kubeconfig", kubeconfig=c["kubeconfig"],
                   context=c.get("context") or None)


def _quantities(value: dict) -> tuple[tuple[str, str], ...]:
    """The quantities of requests or limits; a limit of ``none`` (an opt-out) is left out."""
    return tuple((str(k), _text(v)) for k, v in value.items() if v != NO_LIMIT)


def build(data: dict, env: str | None) -> Kubernetes | None:
    k8s = data.get("kubernetes")
    if not isinstance(k8s, dict):
        return None
    name = names.kubernetes_object(data)
    instance = names.stack_name(data, env)
    image = k8s["image"]
    version = image_version(image)

    selector = (("app.kubernetes.io/name", name), ("app.kubernetes.io/instance", instance))
    labels = selector + ((("app.kubernetes.io/version", version),) if version else ()) + (
        ("app.kubernetes.io/component", COMPONENT),
        ("app.kubernetes.io/part-of", names.spec_name(data)),
        ("app.kubernetes.io/managed-by", names.MANAGED_BY),
    )

    replicas = k8s["replicas"]
    rolling = k8s["rolling_update"]
    min_ready = k8s["min_ready_seconds"]
    deadline = k8s["progress_deadline_seconds"]
    readiness_path, liveness_path = k8s["readiness_path"], k8s["liveness_path"]
    resources = k8s["resources"]

    pin = None
    model = k8s.get("model")
    if isinstance(model, dict):
        pin = ModelPin(bucket=names.model_bucket(data, env), key=model["key"],
                       version_id=_text(model["version_id"]))
    env_vars = {str(k): _text(v) for k, v in (k8s.get("env") or {}).items()}
    annotations: tuple[tuple[str, str], ...] = ()
    if pin is not None:
        env_vars.pop("MODEL_URI", None)
        env_vars.pop("MODEL_VERSION_ID", None)
        env_vars["MODEL_URI"] = pin.uri
        env_vars["MODEL_VERSION_ID"] = pin.version_id
        annotations = ((MODEL_VERSION_ANNOTATION, pin.version_id),)

    cluster = _cluster(k8s, data)
    reader = None
    if cluster.kind == "eks" and pin is not None:
        region = data["aws"]["region"]
        part = names.partition(region)
        kms = data["artifacts"]["encryption"] == "kms"     # kubernetes.model needs artifacts
        reader = ModelReader(
            role=names.model_reader_role(data, env), cluster=cluster.eks_cluster,
            bucket_arn=names.s3_arn(part, pin.bucket),
            object_arn=names.s3_arn(part, pin.bucket, names.model_object_pattern(pin.key)),
            kms_via_service=names.via_service("s3", region) if kms else None, partition=part)

    budget = k8s["disruption_budget"]
    service = k8s["service"]
    security = k8s["security"]

    return Kubernetes(
        cluster=cluster,
        name=name,
        namespace=k8s["namespace"],
        labels=labels,
        selector=selector,
        image=image,
        replicas=replicas,
        port=k8s["port"],
        port_name=PORT_NAME,
        container_name=CONTAINER_NAME,
        max_surge=_text(rolling["max_surge"]),
        max_unavailable=_text(rolling["max_unavailable"]),
        min_ready_seconds=min_ready,
        progress_deadline_seconds=deadline,
        revision_history_limit=k8s["revision_history_limit"],
        startup_probe=Probe(liveness_path, period_seconds=10, timeout_seconds=2,
                            failure_threshold=30, success_threshold=1),
        readiness_probe=Probe(readiness_path, period_seconds=5, timeout_seconds=2,
                              failure_threshold=3, success_threshold=1),
        liveness_probe=Probe(liveness_path, period_seconds=10, timeout_seconds=2,
                             failure_threshold=3, success_threshold=1),
        requests=_quantities(resources["requests"]),
        limits=_quantities(resources["limits"]),
        env=tuple(env_vars.items()),
        pod_annotations=annotations,
        model=pin,
        run_as_user=security["run_as_user"],
        run_as_group=security["run_as_group"],
        read_only_root_filesystem=bool(security["read_only_root_filesystem"]),
        writable_volumes=names.writable_volumes(data),
        image_pull_policy=image_pull_policy(image),
        automount_service_account_token=bool(k8s["automount_service_account_token"]),
        service_type=service["type"],
        service_port=service["port"],
        pdb_min_available=_text(budget["min_available"]) if "min_available" in budget else None,
        pdb_max_unavailable=(_text(budget["max_unavailable"])
                             if "min_available" not in budget and "max_unavailable" in budget
                             else None),
        wait_for_rollout=True,
        rollout_timeout=f"{2 * deadline + replicas * min_ready}s",
        service_account=names.service_account(data),
        # every namespace has its "default" ServiceAccount already: creating it would fail
        create_service_account=cluster.kind == "eks" and names.service_account(data) != "default",
        model_reader=reader,
        network_policy=_network_policy(k8s.get("network_policy")),
        create_namespace=bool(k8s["create_namespace"]),
    )


def _network_policy(value) -> NetworkPolicy | None:
    if not isinstance(value, dict):
        return None
    return NetworkPolicy(
        from_namespaces=tuple(value.get("from_namespaces") or ()),
        from_pod_labels=tuple((str(k), _text(v)) for k, v in (value.get("from_pod_labels") or {})
                              .items()))

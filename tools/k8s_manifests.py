"""The Kubernetes objects a synthesized stack asks for, as the manifests the provider sends.

    python -m tools.k8s_manifests STACK_DIR_OR_CDK_TF_JSON... [--out DIR]

mplat emits ``kubernetes_*`` resources of hashicorp/kubernetes 2.38.0 into ``cdk.tf.json``; no
cluster and no kubernetes provider plugin exist here, so nothing ever sends them. This module does
what the provider's Create does, so that the objects can be checked against the Kubernetes API's
own schema (tests/test_k8s_api.py) and by Checkov's Kubernetes framework (tools/checkov_gate.py):

1. **Read like the plugin SDK** (``_read``): every attribute of a block's schema is present in the
   map an expander sees: the value written, else the schema ``Default``, else the zero value of its
   type ("" / 0 / false / empty map or list). Terraform converts a number written for a string
   attribute to its decimal text and a numeric string written for a number attribute to the number
   (anything else is an error), so this does too. A single block (``MaxItems: 1``) may be written as
   an object (CDKTF) or a one-element list.
2. **Expand like the provider**: one Python function per expander of
   hashicorp/terraform-provider-kubernetes **v2.38.0** (``kubernetes/structures*.go`` and
   ``structure_*.go``), named after it, in the same order and with its conditions.
3. **Serialise like Go's encoding/json** with the Kubernetes API types' tags: a value field tagged
   ``omitempty`` is left out at its zero value (``_put``), a pointer field the expander sets is sent
   even when false or 0 (``_ptr``), a struct field is always sent (``{}`` when empty).

The facts that decide the shape, each followed where it applies (the expander is named there):
block lists are pluralised (``container`` -> ``containers``, ``port`` -> ``ports``,
``volume_mount`` -> ``volumeMounts``, ``volume`` -> ``volumes``) except ``env`` and ``env_from``;
map attributes (``labels``, ``annotations``, ``match_labels``, ``limits``, ``requests``,
``node_selector``, the Service's ``selector``) keep their keys verbatim; the Service's ``selector``
is a plain map while the Deployment's, the PodDisruptionBudget's and the NetworkPolicy's are
LabelSelector blocks; ``replicas``, ``run_as_user``, ``run_as_group`` and ``fs_group`` are strings
in Terraform and integers in the API; ``max_surge``, ``max_unavailable``, ``min_available``,
``target_port``, probe and NetworkPolicy ports are int-or-string (``intstr.Parse``: an integer when
the text is one, else the text); schema defaults are sent where the expander copies them into a
pointer or a non-zero value, zero values of ``omitempty`` fields are not.

A resource type, an attribute or a block this module does not know is an error
(:class:`UnknownAttribute`): it never drops a field silently. So is a Terraform expression
(``${...}``) in a value, which only a plan could resolve.

The typed clientset sends no ``apiVersion``/``kind`` (the URL names the type); they are added here
because the API's schemas are selected by them. Go also writes an empty ``status`` and
``metadata.creationTimestamp: null``, which the API server ignores on create; they are left out.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PROVIDER_VERSION = "2.38.0"       # hashicorp/kubernetes, the version the stacks pin
# the Kubernetes versions the generated objects are checked against (README: "Kubernetes 1.31-1.34")
KUBERNETES_VERSIONS = ("1.31", "1.32", "1.33", "1.34")

# ---- the plugin SDK's view of a block ------------------------------------------------------------
S, INT, B, MAP, LIST, SET = "string", "int", "bool", "map", "list", "set"
ZERO = {S: "", INT: 0, B: False, MAP: {}, LIST: [], SET: []}


class UnknownAttribute(ValueError):
    """A resource type, attribute or value the converter does not know how the provider sends."""


class Block:
    """A nested block: ``schema`` maps attribute -> type or (type, Default) or another Block."""

    def __init__(self, schema: dict, *, one: bool = False):
        self.schema, self.one = schema, one


def _convert(kind: str, value: Any, where: str) -> Any:
    """Terraform's conversion of a JSON value to the attribute's type."""
    if isinstance(value, str) and "${" in value:
        raise UnknownAttribute(f"{where}: a Terraform expression ({value}) cannot be resolved "
                               "without a plan")
    if kind == S:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(int(value)) if float(value).is_integer() else str(value)
        if isinstance(value, str):
            return value
    elif kind == INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return int(value, 10)
            except ValueError:
                pass
    elif kind == B:
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
    elif kind == MAP:
        if isinstance(value, dict):
            return {str(k): _convert(S, v, f"{where}.{k}") for k, v in value.items()}
    elif kind in (LIST, SET):
        if isinstance(value, list):
            return [_convert(S, v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise UnknownAttribute(f"{where}: {value!r} is not a Terraform {kind}")


def _read(value: Any, block: Block, where: str) -> list[dict]:
    """What ``d.Get`` gives an expander for a block: a list of maps holding every attribute."""
    if value is None:
        return []
    items = [value] if isinstance(value, dict) else value
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UnknownAttribute(f"{where}: a block must be an object or a list of objects")
    if block.one and len(items) > 1:
        raise UnknownAttribute(f"{where}: at most one block allowed (MaxItems: 1)")
    out = []
    for n, item in enumerate(items):
        here = where if block.one else f"{where}[{n}]"
        unknown = sorted(set(item) - set(block.schema))
        if unknown:
            raise UnknownAttribute(f"{here}: attribute(s) the converter does not know: "
                                   f"{', '.join(unknown)}")
        m = {}
        for name, spec in block.schema.items():
            if isinstance(spec, Block):
                m[name] = _read(item.get(name), spec, f"{here}.{name}")
                continue
            kind, default = spec if isinstance(spec, tuple) else (spec, None)
            if name in item and item[name] is not None:
                m[name] = _convert(kind, item[name], f"{here}.{name}")
            else:
                m[name] = default if default is not None else ZERO[kind]
        out.append(m)
    return out


# ---- Go's encoding/json ------------------------------------------------------------------------
def _put(obj: dict, key: str, value: Any) -> None:
    """A value field tagged ``omitempty``: left out at its zero value."""
    if value not in ("", 0, False, None, [], {}) or value is True:
        obj[key] = value


def _ptr(obj: dict, key: str, value: Any) -> None:
    """A pointer field the expander set (``ptr.To(v)``): sent whatever its value."""
    obj[key] = value


def _intstr(text: str) -> int | str:
    """``intstr.Parse``: an integer when the text is one (strconv.Atoi), else the text."""
    try:
        return int(text, 10)
    except ValueError:
        return text


def _int_text(text: str, where: str) -> int:
    """``strconv.ParseInt(v, 10, 64)`` of a string attribute that holds an integer."""
    try:
        return int(text, 10)
    except ValueError:
        raise UnknownAttribute(f"{where}: {text!r} is not an integer (the provider fails: "
                               "strconv.ParseInt)") from None


# ---- schemas (the attributes of v2.38.0's resource schemas that these expanders read) -----------
LABEL_SELECTOR = Block({             # schema_label_selector.go labelSelectorFields
    "match_expressions": Block({"key": S, "operator": S, "values": SET}),
    "match_labels": MAP,
}, one=True)
METADATA_FIELDS = {                  # schema_metadata.go metadataFields (+ generate_name)
    "annotations": MAP, "labels": MAP, "name": S, "generate_name": S,
}
NAMESPACED_METADATA = Block({**METADATA_FIELDS, "namespace": (S, "default")}, one=True)
TEMPLATE_METADATA = Block({**METADATA_FIELDS, "namespace": S}, one=True)   # isTemplate: no default
METADATA = Block(METADATA_FIELDS, one=True)                                  # cluster-scoped

HTTP_GET = Block({                   # schema_container.go lifecycleHandlerFields http_get
    "host": S, "path": S, "scheme": (S, "HTTP"), "port": S,
    "http_header": Block({"name": S, "value": S}),
}, one=True)
PROBE = Block({                      # schema_container.go probeSchema
    "exec": Block({"command": LIST}, one=True), "http_get": HTTP_GET,
    "tcp_socket": Block({"port": S}), "grpc": Block({"port": INT, "service": S}),
    "failure_threshold": (INT, 3), "initial_delay_seconds": INT, "period_seconds": (INT, 10),
    "success_threshold": (INT, 1), "timeout_seconds": (INT, 1),
}, one=True)
SECCOMP = Block({"type": (S, "Unconfined"), "localhost_profile": S}, one=True)
SE_LINUX = Block({"level": S, "role": S, "type": S, "user": S}, one=True)
CONTAINER_SECURITY = Block({         # schema_container.go securityContextSchema
    "allow_privilege_escalation": (B, True),
    "capabilities": Block({"add": LIST, "drop": LIST}, one=True),
    "privileged": (B, False), "read_only_root_filesystem": (B, False),
    "run_as_group": S, "run_as_non_root": B, "run_as_user": S,
    "seccomp_profile": SECCOMP, "se_linux_options": SE_LINUX,
}, one=True)
CONTAINER = Block({                  # schema_container.go containerFields
    "args": LIST, "command": LIST,
    "env": Block({"name": S, "value": S}),
    "image": S, "image_pull_policy": S, "name": S,
    "liveness_probe": PROBE, "readiness_probe": PROBE, "startup_probe": PROBE,
    "port": Block({"container_port": INT, "host_ip": S, "host_port": INT, "name": S,
                   "protocol": (S, "TCP")}),
    "resources": Block({"limits": MAP, "requests": MAP}, one=True),
    "security_context": CONTAINER_SECURITY,
    "stdin": (B, False), "stdin_once": (B, False),
    "termination_message_path": (S, "/dev/termination-log"), "termination_message_policy": S,
    "tty": (B, False),
    "volume_mount": Block({"mount_path": S, "name": S, "read_only": (B, False), "sub_path": S,
                           "sub_path_expr": S, "mount_propagation": (S, "None")}),
    "working_dir": S,
})
POD_SECURITY = Block({               # schema_pod_spec.go podSpecFields security_context
    "fs_group": S, "run_as_group": S, "run_as_non_root": B, "run_as_user": S,
    "seccomp_profile": SECCOMP, "se_linux_options": SE_LINUX, "supplemental_groups": SET,
    "fs_group_change_policy": S,
}, one=True)
VOLUME = Block({                     # schema_pod_spec.go volumeSchema (the sources mplat uses)
    "name": S, "empty_dir": Block({"medium": (S, ""), "size_limit": S}, one=True),
})
POD_SPEC = Block({                   # schema_pod_spec.go podSpecFields(isUpdatable, isComputed=false)
    "active_deadline_seconds": INT, "automount_service_account_token": (B, True),
    "container": CONTAINER, "dns_policy": (S, "ClusterFirst"), "enable_service_links": (B, True),
    "host_ipc": (B, False), "host_network": (B, False), "host_pid": (B, False), "hostname": S,
    "image_pull_secrets": Block({"name": S}), "node_name": S, "node_selector": MAP,
    "priority_class_name": S, "restart_policy": (S, "Always"), "runtime_class_name": S,
    "security_context": POD_SECURITY, "scheduler_name": S, "service_account_name": S,
    "share_process_namespace": (B, False), "subdomain": S,
    "termination_grace_period_seconds": (INT, 30), "volume": VOLUME,
}, one=True)
DEPLOYMENT = Block({                 # resource_kubernetes_deployment_v1.go resourceKubernetesDeploymentSchemaV1
    "metadata": NAMESPACED_METADATA,
    "spec": Block({
        "min_ready_seconds": (INT, 0), "paused": (B, False), "progress_deadline_seconds": (INT, 600),
        "replicas": S, "revision_history_limit": (INT, 10), "selector": LABEL_SELECTOR,
        "strategy": Block({"type": (S, "RollingUpdate"),
                           "rolling_update": Block({"max_surge": (S, "25%"),
                                                    "max_unavailable": (S, "25%")}, one=True)},
                          one=True),
        "template": Block({"metadata": TEMPLATE_METADATA, "spec": POD_SPEC}, one=True),
    }, one=True),
    "wait_for_rollout": (B, True),
})
SERVICE = Block({                    # resource_kubernetes_service_v1.go resourceKubernetesServiceSchemaV1
    "metadata": NAMESPACED_METADATA,
    "spec": Block({
        "allocate_load_balancer_node_ports": (B, True), "cluster_ip": S, "external_name": S,
        "external_traffic_policy": S, "internal_traffic_policy": S, "ip_family_policy": S,
        "load_balancer_class": S, "load_balancer_ip": S, "health_check_node_port": INT,
        "port": Block({"app_protocol": S, "name": S, "node_port": INT, "port": INT,
                       "protocol": (S, "TCP"), "target_port": S}),
        "publish_not_ready_addresses": (B, False), "selector": MAP,
        "session_affinity": (S, "None"), "type": (S, "ClusterIP"),
    }, one=True),
    "wait_for_load_balancer": (B, True),
})
PDB = Block({                        # resource_kubernetes_pod_disruption_budget_v1.go
    "metadata": NAMESPACED_METADATA,
    "spec": Block({"max_unavailable": S, "min_available": S, "selector": LABEL_SELECTOR},
                  one=True),
})
SERVICE_ACCOUNT = Block({            # resource_kubernetes_service_account_v1.go
    "metadata": NAMESPACED_METADATA, "automount_service_account_token": (B, True),
    "image_pull_secret": Block({"name": S}), "secret": Block({"name": S}),
})
NAMESPACE = Block({                  # resource_kubernetes_namespace_v1.go
    "metadata": METADATA, "wait_for_default_service_account": (B, False),
})
NP_PEER = Block({"ip_block": Block({"cidr": S, "except": LIST}, one=True),
                 "namespace_selector": LABEL_SELECTOR, "pod_selector": LABEL_SELECTOR})
NP_PORT = Block({"port": S, "end_port": INT, "protocol": (S, "TCP")})
NETWORK_POLICY = Block({             # resource_kubernetes_network_policy_v1.go
    "metadata": NAMESPACED_METADATA,
    "spec": Block({
        "ingress": Block({"ports": NP_PORT, "from": NP_PEER}),
        "egress": Block({"ports": NP_PORT, "to": NP_PEER}),
        "pod_selector": LABEL_SELECTOR, "policy_types": LIST,
    }, one=True),
})
# Terraform meta-arguments and CDKTF bookkeeping: never sent to the API
META = {"//", "depends_on", "lifecycle", "provider", "timeouts", "count", "for_each"}


# ---- expanders (kubernetes/*.go at v2.38.0) ------------------------------------------------------
def _one(lst: list[dict]) -> dict | None:
    return lst[0] if lst else None


def expandStringMap(m: dict) -> dict:                               # structures.go
    return dict(m)                                                  # keys verbatim


def expandMetadata(lst: list[dict]) -> dict:                        # structures.go
    meta: dict = {}
    m = _one(lst)
    if m is None:
        return meta
    if m["annotations"]:
        meta["annotations"] = expandStringMap(m["annotations"])
    if m["labels"]:
        meta["labels"] = expandStringMap(m["labels"])
    _put(meta, "generateName", m["generate_name"])
    _put(meta, "name", m["name"])
    _put(meta, "namespace", m.get("namespace", ""))
    return meta


def expandLabelSelector(lst: list[dict]) -> dict:                   # structure_label_selector.go
    obj: dict = {}
    m = _one(lst)
    if m is None:
        return obj
    if m["match_labels"]:
        obj["matchLabels"] = expandStringMap(m["match_labels"])
    if m["match_expressions"]:
        obj["matchExpressions"] = [{"key": e["key"], "operator": e["operator"],
                                    **({"values": e["values"]} if e["values"] else {})}
                                   for e in m["match_expressions"]]
    return obj


def expandMapToResourceList(m: dict) -> dict:                       # structures.go
    # keys verbatim; each value goes through resource.ParseQuantity (a bad one fails the apply:
    # tests/test_k8s_api.py checks every quantity parses) and is sent as the quantity's text
    return dict(m)


def expandContainerResourceRequirements(lst: list[dict]) -> dict:   # structures_container.go
    obj: dict = {}
    m = _one(lst)
    if m is None:
        return obj
    if m["limits"]:
        obj["limits"] = expandMapToResourceList(m["limits"])
    if m["requests"]:
        obj["requests"] = expandMapToResourceList(m["requests"])
    return obj


def expandContainerPort(lst: list[dict]) -> list[dict]:             # structures_container.go
    ports = []
    for p in lst:
        port = {"containerPort": p["container_port"]}                # `json:"containerPort"`
        _put(port, "hostIP", p["host_ip"])
        _put(port, "hostPort", p["host_port"])
        _put(port, "name", p["name"])
        _put(port, "protocol", p["protocol"])
        ports.append(port)
    return ports


def expandContainerEnv(lst: list[dict]) -> list[dict]:              # structures_container.go
    envs = []
    for p in lst:
        env = {"name": p["name"]}                                   # `json:"name"`
        _put(env, "value", p["value"])
        envs.append(env)
    return envs


def expandHTTPGet(lst: list[dict]) -> dict:                         # structures_container.go
    m = _one(lst) or {}
    obj: dict = {}
    _put(obj, "host", m.get("host", ""))
    _put(obj, "path", m.get("path", ""))
    _put(obj, "scheme", m.get("scheme", ""))
    obj["port"] = _intstr(m["port"]) if m.get("port") else 0        # intstr, `json:"port"`
    if m.get("http_header"):
        obj["httpHeaders"] = [{"name": h["name"], "value": h["value"]} for h in m["http_header"]]
    return obj


def expandExec(lst: list[dict]) -> dict:                            # structures_container.go
    m = _one(lst) or {}
    return {"command": m["command"]} if m.get("command") else {}


def expandTCPSocket(lst: list[dict]) -> dict:                       # structures_container.go
    m = _one(lst) or {}
    return {"port": _intstr(m["port"]) if m.get("port") else 0}


def expandGRPC(lst: list[dict]) -> dict:                            # structures_container.go
    m = _one(lst) or {}
    obj = {"port": m.get("port", 0)}                                # `json:"port"`
    _ptr(obj, "service", m.get("service", ""))
    return obj


def expandProbe(lst: list[dict]) -> dict:                           # structures_container.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    if m["exec"]:
        obj["exec"] = expandExec(m["exec"])
    if m["http_get"]:
        obj["httpGet"] = expandHTTPGet(m["http_get"])
    if m["tcp_socket"]:
        obj["tcpSocket"] = expandTCPSocket(m["tcp_socket"])
    if m["grpc"]:
        obj["grpc"] = expandGRPC(m["grpc"])
    _put(obj, "failureThreshold", m["failure_threshold"])          # int32, omitempty
    _put(obj, "initialDelaySeconds", m["initial_delay_seconds"])
    _put(obj, "periodSeconds", m["period_seconds"])
    _put(obj, "successThreshold", m["success_threshold"])
    _put(obj, "timeoutSeconds", m["timeout_seconds"])
    return obj


def expandSeccompProfile(lst: list[dict]) -> dict:                  # structures_pod.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    obj["type"] = m["type"]                                         # `json:"type"`
    if m["type"] == "Localhost":
        _ptr(obj, "localhostProfile", m["localhost_profile"])
    return obj


def expandSeLinuxOptions(lst: list[dict]) -> dict:                  # structures_pod.go
    m = _one(lst) or {}
    obj: dict = {}
    for key in ("level", "role", "type", "user"):
        _put(obj, key, m.get(key, ""))
    return obj


def expandSecurityCapabilities(lst: list[dict]) -> dict:            # structures_container.go
    m = _one(lst) or {}
    obj: dict = {}
    _put(obj, "add", list(m.get("add", [])))                        # empty slice: omitempty
    _put(obj, "drop", list(m.get("drop", [])))
    return obj


def expandContainerSecurityContext(lst: list[dict], where: str) -> dict:  # structures_container.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    _ptr(obj, "allowPrivilegeEscalation", m["allow_privilege_escalation"])
    if m["capabilities"]:
        obj["capabilities"] = expandSecurityCapabilities(m["capabilities"])
    _ptr(obj, "privileged", m["privileged"])
    _ptr(obj, "readOnlyRootFilesystem", m["read_only_root_filesystem"])
    if m["run_as_group"]:        # string in Terraform, *int64 in the API (strconv.ParseInt)
        obj["runAsGroup"] = _int_text(m["run_as_group"], f"{where}.run_as_group")
    _ptr(obj, "runAsNonRoot", m["run_as_non_root"])                 # `in["run_as_non_root"]`: always
    if m["run_as_user"]:
        obj["runAsUser"] = _int_text(m["run_as_user"], f"{where}.run_as_user")
    if m["seccomp_profile"]:
        obj["seccompProfile"] = expandSeccompProfile(m["seccomp_profile"])
    if m["se_linux_options"]:
        obj["seLinuxOptions"] = expandSeLinuxOptions(m["se_linux_options"])
    return obj


def expandContainerVolumeMounts(lst: list[dict]) -> list[dict]:     # structures_container.go
    mounts = []
    for p in lst:
        vm = {"name": p["name"]}                                    # `json:"name"`
        _put(vm, "readOnly", p["read_only"])
        vm["mountPath"] = p["mount_path"]                           # `json:"mountPath"`
        _put(vm, "subPath", p["sub_path"])
        _ptr(vm, "mountPropagation", p["mount_propagation"])        # *MountPropagationMode
        _put(vm, "subPathExpr", p["sub_path_expr"])
        mounts.append(vm)
    return mounts


def expandContainers(lst: list[dict], where: str) -> list[dict]:    # structures_container.go
    out = []
    for i, c in enumerate(lst):
        here = f"{where}[{i}]"
        obj = {"name": c["name"]}                                   # `json:"name"`
        _put(obj, "image", c["image"])
        _put(obj, "command", c["command"])                          # []string{} when absent
        _put(obj, "args", c["args"])
        _put(obj, "workingDir", c["working_dir"])
        if c["port"]:                                               # port -> ports
            obj["ports"] = expandContainerPort(c["port"])
        if c["env"]:                                                # env stays env
            obj["env"] = expandContainerEnv(c["env"])
        # Resources is a struct field (`json:"resources,omitempty"`): always sent
        obj["resources"] = expandContainerResourceRequirements(c["resources"])
        if c["volume_mount"]:                                       # volume_mount -> volumeMounts
            obj["volumeMounts"] = expandContainerVolumeMounts(c["volume_mount"])
        for tf, api in (("liveness_probe", "livenessProbe"), ("readiness_probe", "readinessProbe"),
                        ("startup_probe", "startupProbe")):
            if c[tf]:
                obj[api] = expandProbe(c[tf])
        _put(obj, "terminationMessagePath", c["termination_message_path"])
        _put(obj, "terminationMessagePolicy", c["termination_message_policy"])
        _put(obj, "imagePullPolicy", c["image_pull_policy"])
        if c["security_context"]:
            obj["securityContext"] = expandContainerSecurityContext(
                c["security_context"], f"{here}.security_context")
        _put(obj, "stdin", c["stdin"])
        _put(obj, "stdinOnce", c["stdin_once"])
        _put(obj, "tty", c["tty"])
        out.append(obj)
    return out


def expandPodSecurityContext(lst: list[dict], where: str) -> dict:  # structures_pod.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    # fs_group, run_as_group, run_as_user: strings in Terraform, *int64 in the API
    if m["fs_group"]:
        obj["fsGroup"] = _int_text(m["fs_group"], f"{where}.fs_group")
    if m["run_as_group"]:
        obj["runAsGroup"] = _int_text(m["run_as_group"], f"{where}.run_as_group")
    _ptr(obj, "runAsNonRoot", m["run_as_non_root"])                 # `.(bool); ok`: always
    if m["run_as_user"]:
        obj["runAsUser"] = _int_text(m["run_as_user"], f"{where}.run_as_user")
    if m["seccomp_profile"]:
        obj["seccompProfile"] = expandSeccompProfile(m["seccomp_profile"])
    if m["se_linux_options"]:
        obj["seLinuxOptions"] = expandSeLinuxOptions(m["se_linux_options"])
    _put(obj, "supplementalGroups", [int(g) for g in m["supplemental_groups"]])
    if m["fs_group_change_policy"]:
        obj["fsGroupChangePolicy"] = m["fs_group_change_policy"]
    return obj


def expandEmptyDirVolumeSource(lst: list[dict]) -> dict:            # structures_pod.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    _put(obj, "medium", m["medium"])
    if m["size_limit"]:
        obj["sizeLimit"] = m["size_limit"]                          # resource.ParseQuantity
    return obj


def expandVolumes(lst: list[dict]) -> list[dict]:                   # structures_pod.go
    out = []
    for v in lst:
        obj = {"name": v["name"]}                                   # `json:"name"`
        if v["empty_dir"]:
            obj["emptyDir"] = expandEmptyDirVolumeSource(v["empty_dir"])
        out.append(obj)
    return out


def expandPodSpec(lst: list[dict], where: str) -> dict:             # structures_pod.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    if m["active_deadline_seconds"] > 0:
        obj["activeDeadlineSeconds"] = m["active_deadline_seconds"]
    _ptr(obj, "automountServiceAccountToken", m["automount_service_account_token"])
    # Containers `json:"containers"` (no omitempty); container -> containers
    obj["containers"] = expandContainers(m["container"], f"{where}.container")
    _put(obj, "dnsPolicy", m["dns_policy"])
    _ptr(obj, "enableServiceLinks", m["enable_service_links"])
    _put(obj, "hostIPC", m["host_ipc"])
    _put(obj, "hostNetwork", m["host_network"])
    _put(obj, "hostPID", m["host_pid"])
    _put(obj, "hostname", m["hostname"])
    _put(obj, "imagePullSecrets", [{"name": s["name"]} for s in m["image_pull_secrets"]])
    _put(obj, "nodeName", m["node_name"])
    _put(obj, "nodeSelector", expandStringMap(m["node_selector"]))   # keys verbatim
    if m["runtime_class_name"]:
        obj["runtimeClassName"] = m["runtime_class_name"]
    _put(obj, "priorityClassName", m["priority_class_name"])
    _put(obj, "restartPolicy", m["restart_policy"])
    if m["security_context"]:
        obj["securityContext"] = expandPodSecurityContext(m["security_context"],
                                                          f"{where}.security_context")
    _put(obj, "schedulerName", m["scheduler_name"])
    _put(obj, "serviceAccountName", m["service_account_name"])
    _ptr(obj, "shareProcessNamespace", m["share_process_namespace"])
    _put(obj, "subdomain", m["subdomain"])
    _ptr(obj, "terminationGracePeriodSeconds", m["termination_grace_period_seconds"])
    if m["volume"]:                                                 # volume -> volumes
        obj["volumes"] = expandVolumes(m["volume"])
    return obj


def expandPodTemplate(lst: list[dict], where: str) -> dict:         # structures_deployment.go
    m = _one(lst)
    if m is None:
        return {"metadata": {}, "spec": {"containers": []}}
    return {"metadata": expandMetadata(m["metadata"]),
            "spec": expandPodSpec(m["spec"], f"{where}.spec") if m["spec"] else
            {"containers": []}}


def expandRollingUpdateDeployment(lst: list[dict]) -> dict:         # structures_deployment.go
    m = _one(lst)
    return {"maxSurge": _intstr(m["max_surge"]), "maxUnavailable": _intstr(m["max_unavailable"])}


def expandDeploymentStrategy(lst: list[dict]) -> dict:              # structures_deployment.go
    m = _one(lst)
    obj: dict = {}
    _put(obj, "type", m["type"])
    if m["rolling_update"]:
        obj["rollingUpdate"] = expandRollingUpdateDeployment(m["rolling_update"])
    return obj


def expandDeploymentSpec(lst: list[dict], where: str) -> dict:      # structures_deployment.go
    m = _one(lst)
    obj: dict = {}
    _put(obj, "minReadySeconds", m["min_ready_seconds"])
    _put(obj, "paused", m["paused"])
    _ptr(obj, "progressDeadlineSeconds", m["progress_deadline_seconds"])
    if m["replicas"]:            # string in Terraform, *int32 in the API (strconv.ParseInt)
        obj["replicas"] = _int_text(m["replicas"], f"{where}.replicas")
    _ptr(obj, "revisionHistoryLimit", m["revision_history_limit"])
    if m["selector"]:                                               # a LabelSelector block
        obj["selector"] = expandLabelSelector(m["selector"])
    # Strategy is a struct field: `{}` when the block is absent (it is Computed)
    obj["strategy"] = expandDeploymentStrategy(m["strategy"]) if m["strategy"] else {}
    obj["template"] = expandPodTemplate(m["template"], f"{where}.template")
    return obj


def expandServicePort(lst: list[dict]) -> list[dict]:               # structure_service_spec.go
    out = []
    for p in lst:
        obj: dict = {}
        _put(obj, "name", p["name"])
        _put(obj, "protocol", p["protocol"])
        if p["app_protocol"]:
            obj["appProtocol"] = p["app_protocol"]
        obj["port"] = p["port"]                                     # `json:"port"`
        # intstr.Parse; IntOrString is a struct, so `omitempty` never leaves it out
        obj["targetPort"] = _intstr(p["target_port"])
        _put(obj, "nodePort", p["node_port"])
        out.append(obj)
    return out


def expandServiceSpec(lst: list[dict]) -> dict:                     # structure_service_spec.go
    m = _one(lst)
    obj: dict = {}
    if m is None:
        return obj
    if m["port"]:
        obj["ports"] = expandServicePort(m["port"])                 # port -> ports
    if m["selector"]:                                               # a plain map, not a block
        obj["selector"] = expandStringMap(m["selector"])
    _put(obj, "clusterIP", m["cluster_ip"])
    _put(obj, "type", m["type"])
    if m["type"] == "LoadBalancer":
        _ptr(obj, "allocateLoadBalancerNodePorts", m["allocate_load_balancer_node_ports"])
        if m["load_balancer_class"]:
            obj["loadBalancerClass"] = m["load_balancer_class"]
    if m["internal_traffic_policy"]:
        obj["internalTrafficPolicy"] = m["internal_traffic_policy"]
    if m["ip_family_policy"]:
        obj["ipFamilyPolicy"] = m["ip_family_policy"]
    _put(obj, "sessionAffinity", m["session_affinity"])
    _put(obj, "loadBalancerIP", m["load_balancer_ip"])
    _put(obj, "externalName", m["external_name"])
    _put(obj, "publishNotReadyAddresses", m["publish_not_ready_addresses"])
    _put(obj, "externalTrafficPolicy", m["external_traffic_policy"])
    _put(obj, "healthCheckNodePort", m["health_check_node_port"])
    return obj


def expandPodDisruptionBudgetV1Spec(lst: list[dict]) -> dict:       # structure_pod_disruption_budget_v1.go
    m = _one(lst)
    obj: dict = {}
    if m["max_unavailable"]:
        obj["maxUnavailable"] = _intstr(m["max_unavailable"])
    if m["min_available"]:
        obj["minAvailable"] = _intstr(m["min_available"])
    if m["selector"]:                                               # a LabelSelector block
        obj["selector"] = expandLabelSelector(m["selector"])
    return obj


def expandNetworkPolicyV1Ports(lst: list[dict]) -> list[dict]:      # structure_network_policy.go
    out = []
    for p in lst:
        obj: dict = {}
        if p["port"]:
            obj["port"] = _intstr(p["port"])
        if p["end_port"]:
            obj["endPort"] = p["end_port"]
        if p["protocol"]:
            obj["protocol"] = p["protocol"]
        out.append(obj)
    return out


def expandNetworkPolicyV1Peer(lst: list[dict]) -> list[dict]:       # structure_network_policy.go
    out = []
    for p in lst:
        obj: dict = {}
        if p["ip_block"]:
            b = p["ip_block"][0]
            obj["ipBlock"] = {"cidr": b["cidr"], **({"except": b["except"]} if b["except"] else {})}
        if p["namespace_selector"]:
            obj["namespaceSelector"] = expandLabelSelector(p["namespace_selector"])
        if p["pod_selector"]:
            obj["podSelector"] = expandLabelSelector(p["pod_selector"])
        out.append(obj)
    return out


def expandNetworkPolicyV1Spec(lst: list[dict]) -> dict:             # structure_network_policy.go
    m = _one(lst)
    obj: dict = {"podSelector": expandLabelSelector(m["pod_selector"])}   # struct: always
    if m["ingress"]:             # the Terraform blocks are already named ports/from: no plural
        obj["ingress"] = [{**({"ports": expandNetworkPolicyV1Ports(r["ports"])} if r["ports"]
                              else {}),
                           **({"from": expandNetworkPolicyV1Peer(r["from"])} if r["from"] else {})}
                          for r in m["ingress"]]
    if m["egress"]:
        obj["egress"] = [{**({"ports": expandNetworkPolicyV1Ports(r["ports"])} if r["ports"]
                             else {}),
                          **({"to": expandNetworkPolicyV1Peer(r["to"])} if r["to"] else {})}
                         for r in m["egress"]]
    _put(obj, "policyTypes", list(m["policy_types"]))              # expandNetworkPolicyV1Types
    return obj


# ---- resources -----------------------------------------------------------------------------------
def _deployment(r: dict, where: str) -> dict:      # resourceKubernetesDeploymentV1Create
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": expandMetadata(r["metadata"]),
            "spec": expandDeploymentSpec(r["spec"], f"{where}.spec")}


def _service(r: dict, where: str) -> dict:         # resourceKubernetesServiceV1Create
    return {"apiVersion": "v1", "kind": "Service", "metadata": expandMetadata(r["metadata"]),
            "spec": expandServiceSpec(r["spec"])}


def _pdb(r: dict, where: str) -> dict:             # resourceKubernetesPodDisruptionBudgetV1Create
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": expandMetadata(r["metadata"]),
            "spec": expandPodDisruptionBudgetV1Spec(r["spec"])}


def _service_account(r: dict, where: str) -> dict:  # resourceKubernetesServiceAccountV1Create
    obj = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": expandMetadata(r["metadata"])}
    _put(obj, "secrets", [{"name": s["name"]} for s in r["secret"]])
    _put(obj, "imagePullSecrets", [{"name": s["name"]} for s in r["image_pull_secret"]])
    _ptr(obj, "automountServiceAccountToken", r["automount_service_account_token"])
    return obj


def _namespace(r: dict, where: str) -> dict:       # resourceKubernetesNamespaceV1Create
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": expandMetadata(r["metadata"]),
            "spec": {}}                             # NamespaceSpec: a struct, always sent


def _network_policy(r: dict, where: str) -> dict:  # resourceKubernetesNetworkPolicyV1Create
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": expandMetadata(r["metadata"]),
            "spec": expandNetworkPolicyV1Spec(r["spec"])}


RESOURCES = {   # resource type -> (its schema, the Create function's object)
    "kubernetes_deployment_v1": (DEPLOYMENT, _deployment),
    "kubernetes_service_v1": (SERVICE, _service),
    "kubernetes_pod_disruption_budget_v1": (PDB, _pdb),
    "kubernetes_service_account_v1": (SERVICE_ACCOUNT, _service_account),
    "kubernetes_namespace_v1": (NAMESPACE, _namespace),
    "kubernetes_network_policy_v1": (NETWORK_POLICY, _network_policy),
}


def convert(resource_type: str, config: dict, where: str = "") -> dict:
    """One ``kubernetes_*`` resource's configuration -> the object the provider sends."""
    where = where or resource_type
    if resource_type not in RESOURCES:
        raise UnknownAttribute(f"{where}: resource type {resource_type} is not one the converter "
                               "knows (tools/k8s_manifests.RESOURCES)")
    schema, create = RESOURCES[resource_type]
    body = {k: v for k, v in config.items() if k not in META}
    (read,) = _read(body, Block(schema.schema, one=True), where)
    return create(read, where)


def manifests(doc: dict) -> dict[str, dict]:
    """Every ``kubernetes_*`` resource of a synthesized stack -> {address: manifest}."""
    out = {}
    for rtype, items in sorted((doc.get("resource") or {}).items()):
        if not rtype.startswith("kubernetes_"):
            continue
        for name, config in sorted(items.items()):
            out[f"{rtype}.{name}"] = convert(rtype, config, f"{rtype}.{name}")
    return out


def write(doc: dict, out_dir: Path) -> list[Path]:
    """The manifests of one stack as ``<out_dir>/<address>.json`` (for Checkov's kubernetes
    framework, which reads JSON manifests)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for address, manifest in manifests(doc).items():
        path = out_dir / f"{address}.json"
        path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tools.k8s_manifests",
                                description=__doc__.split("\n")[0])
    p.add_argument("stacks", nargs="+", help="stack directories or cdk.tf.json files")
    p.add_argument("--out", help="write <out>/<stack>/<address>.json instead of printing")
    args = p.parse_args(argv)
    for s in args.stacks:
        path = Path(s)
        path = path / "cdk.tf.json" if path.is_dir() else path
        doc = json.loads(path.read_text())
        try:
            if args.out:
                write(doc, Path(args.out) / path.parent.name)
            else:
                print(json.dumps(manifests(doc), indent=1, sort_keys=True))
        except UnknownAttribute as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Kubernetes: rolling updates of model serving.

One capability, :class:`Serving` (resources created on the stack), turns the typed
``compiler.model.kubernetes.Kubernetes`` into:

=========================================  ==========================================================
Terraform address                          what
=========================================  ==========================================================
provider ``kubernetes`` (no alias)         from a kubeconfig + context, or from an EKS cluster
data.aws_eks_cluster.eks_cluster           EKS only: endpoint and CA of the cluster
kubernetes_deployment_v1.k8s_deployment    RollingUpdate, probes, hardened pod, the model pin
kubernetes_service_v1.k8s_service          the Service in front of the ready pods
kubernetes_pod_disruption_budget_v1.k8s_pdb  the PodDisruptionBudget
=========================================  ==========================================================

Addresses are part of the contract: every resource has a fixed logical id. A provider has no logical
id of its own (Terraform keys it by type, and this one has no alias).

An EKS cluster is reached through ``aws eks get-token`` (client.authentication.k8s.io/v1beta1), so
no token is ever written into the plan or the state. A kubeconfig path is written as given (``~`` is
expanded by the provider at run time, never at synth time: the output is the same on every machine).

The model version pinned in the spec reaches the pods three ways: ``MODEL_URI`` and
``MODEL_VERSION_ID`` in the environment, and the ``mplat.io/model-version-id`` annotation on the pod
template; changing the pin changes only the pod template, which rolls the pods under the
RollingUpdate strategy and its readiness gate.
"""
from __future__ import annotations

from generators import engine
from generators.common import Capability

EKS_TOKEN_API = "client.authentication.k8s.io/v1beta1"
TMP_VOLUME = "tmp"


class Serving(Capability):
    """Provider, Deployment, Service and PodDisruptionBudget of one model server."""

    def __init__(self, scope, id: str, *, spec, platform=None):
        super().__init__(scope, id)
        self.spec = spec
        k = spec
        self.eks = None
        self.provider = self._provider(k.cluster)

        labels = dict(k.labels)
        selector = dict(k.selector)
        self.deployment = self._deployment(k, labels, selector)

        svc = engine.k8s("service_v1")
        self.service = svc.ServiceV1(
            self.scope, "k8s_service",
            metadata=svc.ServiceV1Metadata(name=k.name, namespace=k.namespace, labels=labels),
            spec=svc.ServiceV1Spec(
                type=k.service_type,
                selector=selector,
                port=[svc.ServiceV1SpecPort(name=k.port_name, port=k.service_port,
                                            target_port=k.port_name, protocol="TCP")],
            ),
        )

        pdb = engine.k8s("pod_disruption_budget_v1")
        budget = {}
        if k.pdb_min_available is not None:
            budget["min_available"] = k.pdb_min_available
        if k.pdb_max_unavailable is not None:
            budget["max_unavailable"] = k.pdb_max_unavailable
        self.pdb = pdb.PodDisruptionBudgetV1(
            self.scope, "k8s_pdb",
            metadata=pdb.PodDisruptionBudgetV1Metadata(name=k.name, namespace=k.namespace,
                                                       labels=labels),
            spec=pdb.PodDisruptionBudgetV1Spec(
                selector=pdb.PodDisruptionBudgetV1SpecSelector(match_labels=selector), **budget),
        )

    # -- pieces -----------------------------------------------------------------------------
    def _provider(self, cluster):
        prov = engine.k8s("provider")
        if cluster.kind == "eks":
            data = engine.aws("data_aws_eks_cluster")
            kwargs = {"name": cluster.eks_cluster}
            if cluster.region:
                kwargs["region"] = cluster.region
            self.eks = data.DataAwsEksCluster(self.scope, "eks_cluster", **kwargs)
            args = ["eks", "get-token", "--cluster-name", cluster.eks_cluster]
            if cluster.region:
                args += ["--region", cluster.region]
            return prov.KubernetesProvider(
                self.scope, "kubernetes",
                host=self.eks.endpoint,
                cluster_ca_certificate=engine.cdktf.Fn.base64decode(
                    self.eks.certificate_authority.get(0).data),
                exec=[prov.KubernetesProviderExec(api_version=EKS_TOKEN_API, command="aws",
                                                  args=args)],
            )
        kwargs = {"config_path": cluster.kubeconfig}
        if cluster.context:
            kwargs["config_context"] = cluster.context
        return prov.KubernetesProvider(self.scope, "kubernetes", **kwargs)

    def _deployment(self, k, labels, selector):
        d = engine.k8s("deployment_v1")

        def http_get(cls, path):
            return cls(path=path, port=k.port_name, scheme="HTTP")

        def probe(cls, get_cls, p):
            return cls(http_get=http_get(get_cls, p.path),
                       initial_delay_seconds=p.initial_delay_seconds,
                       period_seconds=p.period_seconds, timeout_seconds=p.timeout_seconds,
                       failure_threshold=p.failure_threshold,
                       success_threshold=p.success_threshold)

        container = d.DeploymentV1SpecTemplateSpecContainer(
            name=k.container_name,
            image=k.image,
            image_pull_policy="Always",
            port=[d.DeploymentV1SpecTemplateSpecContainerPort(
                name=k.port_name, container_port=k.port, protocol="TCP")],
            env=[d.DeploymentV1SpecTemplateSpecContainerEnv(name=n, value=v) for n, v in k.env],
            resources=d.DeploymentV1SpecTemplateSpecContainerResources(
                requests=dict(k.requests), limits=dict(k.limits)),
            startup_probe=probe(d.DeploymentV1SpecTemplateSpecContainerStartupProbe,
                                d.DeploymentV1SpecTemplateSpecContainerStartupProbeHttpGet,
                                k.startup_probe),
            readiness_probe=probe(d.DeploymentV1SpecTemplateSpecContainerReadinessProbe,
                                  d.DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet,
                                  k.readiness_probe),
            liveness_probe=probe(d.DeploymentV1SpecTemplateSpecContainerLivenessProbe,
                                 d.DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet,
                                 k.liveness_probe),
            security_context=d.DeploymentV1SpecTemplateSpecContainerSecurityContext(
                run_as_non_root=True,
                run_as_user=str(k.run_as_user),
                run_as_group=str(k.run_as_group),
                read_only_root_filesystem=True,
                allow_privilege_escalation=False,
                privileged=False,
                capabilities=d.DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities(
                    drop=["ALL"]),
                seccomp_profile=d.DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile(
                    type="RuntimeDefault"),
            ),
            volume_mount=[d.DeploymentV1SpecTemplateSpecContainerVolumeMount(
                name=TMP_VOLUME, mount_path="/tmp")],
        )

        pod_kwargs = dict(
            container=[container],
            automount_service_account_token=k.automount_service_account_token,
            security_context=d.DeploymentV1SpecTemplateSpecSecurityContext(
                run_as_non_root=True,
                run_as_user=str(k.run_as_user),
                run_as_group=str(k.run_as_group),
                fs_group=str(k.run_as_group),
                seccomp_profile=d.DeploymentV1SpecTemplateSpecSecurityContextSeccompProfile(
                    type="RuntimeDefault"),
            ),
            volume=[d.DeploymentV1SpecTemplateSpecVolume(
                name=TMP_VOLUME, empty_dir=d.DeploymentV1SpecTemplateSpecVolumeEmptyDir())],
        )

        template_meta = {"labels": labels}
        if k.pod_annotations:
            template_meta["annotations"] = dict(k.pod_annotations)

        return d.DeploymentV1(
            self.scope, "k8s_deployment",
            metadata=d.DeploymentV1Metadata(name=k.name, namespace=k.namespace, labels=labels),
            spec=d.DeploymentV1Spec(
                replicas=str(k.replicas),
                selector=d.DeploymentV1SpecSelector(match_labels=selector),
                strategy=d.DeploymentV1SpecStrategy(
                    type="RollingUpdate",
                    rolling_update=d.DeploymentV1SpecStrategyRollingUpdate(
                        max_surge=k.max_surge, max_unavailable=k.max_unavailable)),
                min_ready_seconds=k.min_ready_seconds,
                progress_deadline_seconds=k.progress_deadline_seconds,
                revision_history_limit=k.revision_history_limit,
                template=d.DeploymentV1SpecTemplate(
                    metadata=d.DeploymentV1SpecTemplateMetadata(**template_meta),
                    spec=d.DeploymentV1SpecTemplateSpec(**pod_kwargs),
                ),
            ),
            wait_for_rollout=k.wait_for_rollout,
            timeouts=d.DeploymentV1Timeouts(create=k.rollout_timeout, update=k.rollout_timeout),
        )

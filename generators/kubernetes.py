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
kubernetes_service_account_v1.k8s_service_account  EKS only: the ServiceAccount the pods run as
kubernetes_network_policy_v1.k8s_network_policy  with network_policy: ingress on the port from sources
kubernetes_namespace_v1.k8s_namespace      with create_namespace: the namespace (prevent_destroy)
aws_iam_role.model_reader_role             EKS with a model pin: the pods' own IAM role
aws_iam_role_policy.model_reader_policy    ... which may only read the pinned model
aws_eks_pod_identity_association.model_reader  ... bound to the ServiceAccount (EKS Pod Identity)
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
from generators.common import Capability, protected
from generators.policies import policy

EKS_TOKEN_API = "client.authentication.k8s.io/v1beta1"


class Serving(Capability):
    """Provider, Deployment, Service and PodDisruptionBudget of one model server."""

    def __init__(self, scope, id: str, *, spec, platform=None, store=None):
        super().__init__(scope, id)
        self.spec = spec
        self.store = store
        k = spec
        self.eks = None
        self.provider = self._provider(k.cluster)

        labels = dict(k.labels)
        selector = dict(k.selector)
        self.namespace = None
        # with create_namespace every namespaced object waits for the namespace (the names stay
        # literal: the objects' manifests and addresses do not depend on it)
        after_ns: dict = {}
        if k.create_namespace:
            ns = engine.k8s("namespace_v1")
            self.namespace = ns.NamespaceV1(
                self.scope, "k8s_namespace",
                metadata=ns.NamespaceV1Metadata(name=k.namespace, labels=labels),
                **protected())
            after_ns = {"depends_on": [self.namespace]}
        self.service_account = None
        if k.create_service_account and k.service_account:
            sa = engine.k8s("service_account_v1")
            self.service_account = sa.ServiceAccountV1(
                self.scope, "k8s_service_account",
                metadata=sa.ServiceAccountV1Metadata(name=k.service_account, namespace=k.namespace,
                                                     labels=labels),
                automount_service_account_token=False, **after_ns)
        if k.model_reader is not None:
            self._model_reader(k)
        self.deployment = self._deployment(k, labels, selector, after_ns)

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
            **after_ns,
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
            **after_ns,
        )

        self.network_policy = None
        if k.network_policy is not None:
            self.network_policy = self._network_policy(k, labels, selector, after_ns)

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

    def _model_reader(self, k) -> None:
        """The pods' own AWS identity (EKS Pod Identity): a role trusted by the Pod Identity agent
        for this namespace and ServiceAccount only, allowed to read the pinned model and nothing
        else.

        Trust as in the EKS user guide, "Create IAM role with trust policy required by EKS Pod
        Identity" (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html):
        pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession, restricted to the
        namespace and service account through the session tags Pod Identity sets
        (aws:RequestTag/kubernetes-namespace, aws:RequestTag/kubernetes-service-account), the
        condition that page shows.
        """
        r = k.model_reader
        trust = policy({
            "Sid": "AllowEksAuthToAssumeRoleForPodIdentity",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {"StringEquals": {
                "aws:RequestTag/kubernetes-namespace": [k.namespace],
                "aws:RequestTag/kubernetes-service-account": [k.service_account]}},
        })
        role = engine.aws("iam_role").IamRole(
            self.scope, "model_reader_role", name=r.role,
            description=f"Model server pods of {k.name} in {k.namespace}: read the pinned model",
            assume_role_policy=trust)
        statements = [{"Sid": "ReadPinnedModel", "Effect": "Allow",
                       "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                       "Resource": r.object_arn}]
        if r.kms_via_service:
            # The model bucket uses SSE-KMS with an S3 Bucket Key: the encryption context is the
            # bucket ARN (S3 user guide, "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys")
            statements.append({
                "Sid": "DecryptModelThroughS3", "Effect": "Allow", "Action": "kms:Decrypt",
                "Resource": self._artifacts_key_arn(),
                "Condition": {"StringEquals": {
                    "kms:ViaService": r.kms_via_service,
                    "kms:EncryptionContext:aws:s3:arn": r.bucket_arn}}})
        role_policy = engine.aws("iam_role_policy").IamRolePolicy(
            self.scope, "model_reader_policy", name="read-pinned-model", role=role.id,
            policy=policy(*statements))
        deps = [role_policy] + ([self.service_account] if self.service_account else [])
        engine.aws("eks_pod_identity_association").EksPodIdentityAssociation(
            self.scope, "model_reader", cluster_name=r.cluster, namespace=k.namespace,
            service_account=k.service_account, role_arn=role.arn, depends_on=deps)

    def _network_policy(self, k, labels, selector, after_ns):
        """Ingress to the selected pods on the container port (by number: every network plugin
        that enforces NetworkPolicy supports numbered ports), from each source as its own peer.
        ``kubernetes.io/metadata.name`` is the immutable label the API server sets on every
        namespace (Kubernetes 1.22+, "Automatic labelling" in the Namespaces concept page)."""
        np = engine.k8s("network_policy_v1")
        peers = [np.NetworkPolicyV1SpecIngressFrom(
            namespace_selector=np.NetworkPolicyV1SpecIngressFromNamespaceSelector(
                match_labels={"kubernetes.io/metadata.name": ns}))
            for ns in k.network_policy.from_namespaces]
        if k.network_policy.from_pod_labels:
            peers.append(np.NetworkPolicyV1SpecIngressFrom(
                pod_selector=np.NetworkPolicyV1SpecIngressFromPodSelector(
                    match_labels=dict(k.network_policy.from_pod_labels))))
        return np.NetworkPolicyV1(
            self.scope, "k8s_network_policy",
            metadata=np.NetworkPolicyV1Metadata(name=k.name, namespace=k.namespace, labels=labels),
            spec=np.NetworkPolicyV1Spec(
                pod_selector=np.NetworkPolicyV1SpecPodSelector(match_labels=selector),
                policy_types=["Ingress"],
                ingress=[np.NetworkPolicyV1SpecIngress(
                    ports=[np.NetworkPolicyV1SpecIngressPorts(port=str(k.port), protocol="TCP")],
                    from_=peers)],
            ),
            **after_ns,
        )

    def _artifacts_key_arn(self) -> str:
        """The artifacts key of this stack (ArtifactStore, created before Serving)."""
        return self.store.kms_key.arn

    def _deployment(self, k, labels, selector, after_ns):
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
            **({"image_pull_policy": k.image_pull_policy} if k.image_pull_policy else {}),
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
                read_only_root_filesystem=k.read_only_root_filesystem,
                allow_privilege_escalation=False,
                privileged=False,
                capabilities=d.DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities(
                    drop=["ALL"]),
                seccomp_profile=d.DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile(
                    type="RuntimeDefault"),
            ),
            volume_mount=[d.DeploymentV1SpecTemplateSpecContainerVolumeMount(
                name=name, mount_path=path) for name, path in k.writable_volumes],
        )

        pod_kwargs = dict(
            container=[container],
            **({"service_account_name": k.service_account} if k.service_account else {}),
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
                name=name, empty_dir=d.DeploymentV1SpecTemplateSpecVolumeEmptyDir())
                for name, _ in k.writable_volumes],
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
            **after_ns,
        )

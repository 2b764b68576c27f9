"""The patches applied to moto 5.2.5 at server start: one function per GAPS row whose remedy is
"patch" (gaps.py says why each exists, with the moto file:line), registered in ``_PATCHES``."""
from __future__ import annotations

import json

from .gaps import GAPS


def _patch_s3_logging_string_principal() -> None:
    from moto.s3 import models as s3_models

    original = s3_models.FakeBucket._log_permissions_enabled_policy

    def log_permissions_enabled_policy(target_bucket, target_prefix):
        policy = target_bucket.policy
        if not policy:
            return original(target_bucket, target_prefix)
        doc = json.loads(policy.decode())
        kept = [st for st in doc.get("Statement", []) if isinstance(st.get("Principal", {}), dict)]
        target_bucket.policy = json.dumps({**doc, "Statement": kept}).encode()
        try:
            return original(target_bucket, target_prefix)
        finally:
            target_bucket.policy = policy

    s3_models.FakeBucket._log_permissions_enabled_policy = staticmethod(
        log_permissions_enabled_policy)


def _patch_s3_lifecycle_newer_noncurrent_versions() -> None:
    from moto.s3 import models as s3_models
    from moto.s3 import responses as s3_responses

    original_set = s3_models.FakeBucket.set_lifecycle

    def set_lifecycle(self, rules):
        original_set(self, rules)
        for stored, given in zip(self.rules, rules, strict=True):
            stored.mplat_nve = given.get("NoncurrentVersionExpiration")

    s3_models.FakeBucket.set_lifecycle = set_lifecycle
    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if (self.data.get("Action") == "GetBucketLifecycleConfiguration"
                and isinstance(result, dict)):
            stored = {r.id: r for r in self.backend.get_bucket_lifecycle(self.bucket_name)}
            for rule in result.get("Rules", []):
                nve = getattr(stored.get(rule.get("ID")), "mplat_nve", None) or {}
                if nve.get("NewerNoncurrentVersions") is not None:
                    rule.setdefault("NoncurrentVersionExpiration", {})[
                        "NewerNoncurrentVersions"] = int(nve["NewerNoncurrentVersions"])
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_s3_notification_eventbridge() -> None:
    from moto.s3 import responses as s3_responses

    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if (self.data.get("Action") == "GetBucketNotificationConfiguration"
                and isinstance(result, dict)):
            conf = self.backend.get_bucket_notification_configuration(self.bucket_name)
            if conf is not None and getattr(conf, "event_bridge", None) is not None:
                result["EventBridgeConfiguration"] = {}
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_s3_replication_rule_fields() -> None:
    from moto.s3 import responses as s3_responses

    original_serialized = s3_responses.S3Response.serialized

    def serialized(self, action_result):
        result = getattr(action_result, "result", None)
        if self.data.get("Action") == "GetBucketReplication" and isinstance(result, dict):
            stored = {r.get("ID"): r for r in
                      (self.backend.get_bucket_replication(self.bucket_name) or {}).get("Rule", [])}
            for rule in result["ReplicationConfiguration"]["Rules"]:
                given = stored.get(rule["ID"], {})
                for key in ("DeleteMarkerReplication", "SourceSelectionCriteria",
                            "ExistingObjectReplication"):
                    if given.get(key):
                        rule[key] = given[key]
        return original_serialized(self, action_result)

    s3_responses.S3Response.serialized = serialized


def _patch_backup_list_tags_path() -> None:
    from moto.backup import responses as br
    from urllib.parse import unquote

    def list_tags(self):
        arn = unquote(self.path.split("?")[0].split("/tags/", 1)[1].rstrip("/"))
        return json.dumps({"Tags": self.backup_backend.list_tags(resource_arn=arn)})

    br.BackupResponse.list_tags = list_tags


def _patch_codedeploy_deployment_configs() -> None:
    from moto.codedeploy import responses as cd
    from moto.core.responses import ActionResult, EmptyResult
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def configs(self) -> dict:
        backend = self.codedeploy_backend
        if not hasattr(backend, "mplat_deployment_configs"):
            backend.mplat_deployment_configs = {}
        return backend.mplat_deployment_configs

    def create_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if name in configs(self):
            from moto.core.exceptions import JsonRESTError
            raise JsonRESTError("DeploymentConfigAlreadyExistsException",
                                f"Deployment config {name} already exists")
        info = {"deploymentConfigId": str(mock_random.uuid4()), "deploymentConfigName": name,
                "createTime": unix_time(),
                "computePlatform": self._get_param("computePlatform") or "Server"}
        for key in ("minimumHealthyHosts", "trafficRoutingConfig", "zonalConfig"):
            if self._get_param(key) is not None:
                info[key] = self._get_param(key)
        configs(self)[name] = info
        return ActionResult({"deploymentConfigId": info["deploymentConfigId"]})

    def get_deployment_config(self):
        name = self._get_param("deploymentConfigName")
        if name not in configs(self):
            from moto.core.exceptions import JsonRESTError
            raise JsonRESTError("DeploymentConfigDoesNotExistException",
                                f"Deployment config {name} does not exist")
        return ActionResult({"deploymentConfigInfo": configs(self)[name]})

    def delete_deployment_config(self):
        configs(self).pop(self._get_param("deploymentConfigName"), None)
        return EmptyResult()

    cd.CodeDeployResponse.create_deployment_config = create_deployment_config
    cd.CodeDeployResponse.get_deployment_config = get_deployment_config
    cd.CodeDeployResponse.delete_deployment_config = delete_deployment_config


def _patch_codedeploy_alarm_configuration() -> None:
    from moto.codedeploy import responses as cd

    original = cd._deployment_group_info

    def deployment_group_info(group):
        info = original(group)
        info["alarmConfiguration"] = group.alarm_configuration or {}
        if not info.get("loadBalancerInfo"):       # AWS leaves out what the group does not have
            info.pop("loadBalancerInfo", None)
        return info

    cd._deployment_group_info = deployment_group_info


def _patch_backup_selections() -> None:
    from moto.backup import responses as br
    from moto.backup.exceptions import ResourceNotFoundException
    from moto.core.utils import unix_time
    from moto.moto_api._internal import mock_random

    def selections(self) -> dict:
        backend = self.backup_backend
        if not hasattr(backend, "mplat_selections"):
            backend.mplat_selections = {}
        return backend.mplat_selections

    def _ids(self) -> tuple[str, str]:
        parts = [unquote(p) for p in self.path.split("?")[0].split("/") if p]
        plan_id = parts[parts.index("plans") + 1]
        selection_id = parts[parts.index("selections") + 1] if parts[-1] != "selections" else ""
        return plan_id, selection_id

    def create_backup_selection(self):
        plan_id, _ = _ids(self)
        self.backup_backend.get_backup_plan(backup_plan_id=plan_id, version_id=None)
        params = json.loads(self.body)
        selection_id = str(mock_random.uuid4())
        created = unix_time()
        selections(self)[(plan_id, selection_id)] = {
            "BackupSelection": params["BackupSelection"], "SelectionId": selection_id,
            "BackupPlanId": plan_id, "CreationDate": created,
            "CreatorRequestId": params.get("CreatorRequestId")}
        return json.dumps({"SelectionId": selection_id, "BackupPlanId": plan_id,
                           "CreationDate": created})

    def get_backup_selection(self):
        key = _ids(self)
        if key not in selections(self):
            raise ResourceNotFoundException(msg=f"Backup selection {key[1]} not found")
        return json.dumps(selections(self)[key])

    def delete_backup_selection(self):
        selections(self).pop(_ids(self), None)
        return "{}"

    from urllib.parse import unquote
    br.BackupResponse.create_backup_selection = create_backup_selection
    br.BackupResponse.get_backup_selection = get_backup_selection
    br.BackupResponse.delete_backup_selection = delete_backup_selection


def _patch_eks_pod_identity_associations() -> None:
    from urllib.parse import unquote

    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import unix_time
    from moto.eks import responses as er
    from moto.eks import urls as eu
    from moto.moto_api._internal import mock_random

    eu.url_paths.update({
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations$": eu.response.dispatch,
        "{0}/clusters/(?P<name>[^/]+)/pod-identity-associations/(?P<associationId>[^/]+)$":
            eu.response.dispatch})

    def associations(self) -> dict:
        backend = self.eks_backend
        if not hasattr(backend, "mplat_pod_identity_associations"):
            backend.mplat_pod_identity_associations = {}
        return backend.mplat_pod_identity_associations

    def _path(self) -> list[str]:
        return [unquote(p) for p in self.path.split("?")[0].split("/") if p]

    def create_pod_identity_association(self):
        cluster = _path(self)[1]
        body = json.loads(self.body or "{}")
        assoc_id = "a-" + mock_random.get_random_string(17, lower_case=True)
        now = unix_time()
        assoc = {"clusterName": cluster, "namespace": body["namespace"],
                 "serviceAccount": body["serviceAccount"], "roleArn": body["roleArn"],
                 "associationId": assoc_id,
                 "associationArn": f"arn:aws:eks:{self.region}:{self.current_account}:"
                                   f"podidentityassociation/{cluster}/{assoc_id}",
                 "tags": body.get("tags") or {}, "createdAt": now, "modifiedAt": now,
                 "disableSessionTags": bool(body.get("disableSessionTags", False))}
        if body.get("targetRoleArn"):
            assoc["targetRoleArn"] = body["targetRoleArn"]
        associations(self)[(cluster, assoc_id)] = assoc
        return 200, {}, json.dumps({"association": assoc})

    def describe_pod_identity_association(self):
        parts = _path(self)
        key = (parts[1], parts[3])
        if key not in associations(self):
            raise JsonRESTError("ResourceNotFoundException",
                                f"Association {key[1]} not found in cluster {key[0]}")
        return 200, {}, json.dumps({"association": associations(self)[key]})

    def delete_pod_identity_association(self):
        parts = _path(self)
        assoc = associations(self).pop((parts[1], parts[3]), None)
        return 200, {}, json.dumps({"association": assoc or {}})

    er.EKSResponse.create_pod_identity_association = create_pod_identity_association
    er.EKSResponse.describe_pod_identity_association = describe_pod_identity_association
    er.EKSResponse.delete_pod_identity_association = delete_pod_identity_association


def _patch_sagemaker_model_fields() -> None:
    from moto.sagemaker import models as sm
    from moto.sagemaker import responses as sr

    original_create = sr.SageMakerResponse.create_model
    original_object = sm.Model.response_object.fget

    def create_model(self):
        result = original_create(self)
        model = self.sagemaker_backend.describe_model(self._get_param("ModelName"))
        model.enable_network_isolation = bool(self._get_param("EnableNetworkIsolation"))
        return result

    def response_object(self):
        out = original_object(self)
        if not out.get("VpcConfig"):            # AWS leaves out what the model does not have
            out.pop("VpcConfig", None)
        return out

    sr.SageMakerResponse.create_model = create_model
    sm.Model.response_object = property(response_object)


def _patch_sagemaker_endpoint_config_data_capture() -> None:
    from moto.core.responses import ActionResult
    from moto.sagemaker import responses as sr

    def describe_endpoint_config(self):
        answer = dict(self.sagemaker_backend.describe_endpoint_config(
            self._get_param("EndpointConfigName")))
        if not answer.get("DataCaptureConfig"):  # AWS leaves out what the config does not have
            answer.pop("DataCaptureConfig", None)
        return ActionResult(answer)

    # the answer only: moto's own CreateEndpoint reads the stored (empty) object
    sr.SageMakerResponse.describe_endpoint_config = describe_endpoint_config


def _patch_sagemaker_endpoint_deployment_config() -> None:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow
    from moto.sagemaker import models as sm
    from moto.sagemaker import responses as sr

    original_create = sr.SageMakerResponse.create_endpoint
    original_object = sm.FakeEndpoint.response_object.fget

    def create_endpoint(self):
        result = original_create(self)
        endpoint = self.sagemaker_backend.endpoints[self._get_param("EndpointName")]
        endpoint.mplat_deployment_config = self._get_param("DeploymentConfig")
        return result

    def update_endpoint(self):
        backend = self.sagemaker_backend
        name = self._get_param("EndpointName")
        backend.describe_endpoint(name)                        # ValidationError when unknown
        config = backend.describe_endpoint_config(self._get_param("EndpointConfigName"))
        endpoint = backend.endpoints[name]
        endpoint.endpoint_config_name = config["EndpointConfigName"]
        endpoint.production_variants = endpoint._process_production_variants(
            config["ProductionVariants"])
        endpoint.data_capture_config = config.get("DataCaptureConfig")
        endpoint.mplat_deployment_config = self._get_param("DeploymentConfig")
        endpoint.last_modified_time = utcnow()
        return ActionResult({"EndpointArn": endpoint.arn})

    def response_object(self):
        out = original_object(self)
        out.pop("MplatDeploymentConfig", None)
        if getattr(self, "mplat_deployment_config", None):
            out["LastDeploymentConfig"] = self.mplat_deployment_config
        return out

    sr.SageMakerResponse.create_endpoint = create_endpoint
    sr.SageMakerResponse.update_endpoint = update_endpoint
    sm.FakeEndpoint.response_object = property(response_object)


_PATCHES = {
    "s3-logging-string-principal": _patch_s3_logging_string_principal,
    "s3-lifecycle-newer-noncurrent-versions": _patch_s3_lifecycle_newer_noncurrent_versions,
    "s3-notification-eventbridge": _patch_s3_notification_eventbridge,
    "s3-replication-rule-fields": _patch_s3_replication_rule_fields,
    "backup-list-tags-path": _patch_backup_list_tags_path,
    "codedeploy-deployment-configs": _patch_codedeploy_deployment_configs,
    "codedeploy-alarm-configuration": _patch_codedeploy_alarm_configuration,
    "backup-selections": _patch_backup_selections,
    "eks-pod-identity-associations": _patch_eks_pod_identity_associations,
    "sagemaker-model-fields": _patch_sagemaker_model_fields,
    "sagemaker-endpoint-config-data-capture": _patch_sagemaker_endpoint_config_data_capture,
    "sagemaker-endpoint-deployment-config": _patch_sagemaker_endpoint_deployment_config,
}


def patch_moto() -> None:
    """Patch moto 5.2.5 in this process for the GAPS rows whose remedy is "patch"."""
    names = [g.patch for g in GAPS if g.remedy == "patch"]
    if sorted(names) != sorted(_PATCHES):
        raise RuntimeError(f"GAPS patch rows {sorted(names)} != patches {sorted(_PATCHES)}")
    for name in names:
        _PATCHES[name]()


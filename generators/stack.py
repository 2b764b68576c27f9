"""PlatformStack: one Terraform stack per (spec, environment), built only from the typed model.

Provider (region, default tags, allowed account), pinned ``required_providers`` with full source
addresses, the state backend, then each capability present in the spec (``common.Capability``: its
resources are created on the stack itself, with their addresses as ids). The
codedeploy, kubernetes and sagemaker generators (and their provider modules) are imported only when
a stack uses them. Importing this module starts the engine (``PlatformStack`` subclasses an engine
class): ``generators.app`` imports it only after ``engine.start()``.
"""
from __future__ import annotations

from compiler.model import Platform

from . import engine


class PlatformStack(engine.cdktf.TerraformStack):
    def __init__(self, scope, platform: Platform) -> None:
        super().__init__(scope, platform.stack)
        self.platform = platform
        cdktf = engine.cdktf

        provider_args = {
            "region": platform.region,
        }
        provider = engine.aws("provider")
        provider_args["default_tags"] = [provider.AwsProviderDefaultTags(tags=dict(platform.tags))]
        if platform.account_id:
            provider_args["allowed_account_ids"] = [platform.account_id]
        provider.AwsProvider(self, "aws", **provider_args)

        # No terraform.required_version: Checkov's terraform_json parser rejects a scalar in the
        # terraform block (the whole file would go unscanned). use_lockfile needs Terraform >= 1.10,
        # which older versions report themselves as an unknown backend argument.
        self.pin_providers(["aws", "kubernetes"] if platform.kubernetes is not None else ["aws"])

        state = platform.state
        if state.backend == "s3":
            cdktf.S3Backend(self, bucket=state.bucket, key=state.key, region=state.region,
                            encrypt=True)
            self.add_override("terraform.backend.s3.use_lockfile", True)
        else:
            cdktf.LocalBackend(self, path=state.path)

        store = None
        if platform.artifacts is not None:
            from .artifacts import ArtifactStore
            store = ArtifactStore(self, "artifacts", spec=platform.artifacts, platform=platform)
        if platform.backup is not None:
            from .backup import PointInTimeRestore
            PointInTimeRestore(self, "backup", spec=platform.backup, bucket=store.bucket,
                               platform=platform, store=store)
        if platform.config is not None:
            from .config_recorder import ConfigurationHistory
            ConfigurationHistory(self, "config_recorder", spec=platform.config, platform=platform)
        if platform.codedeploy is not None:
            from .codedeploy import Rollback
            Rollback(self, "codedeploy", spec=platform.codedeploy, platform=platform)
        if platform.kubernetes is not None:
            from .kubernetes import Serving
            Serving(self, "kubernetes", spec=platform.kubernetes, platform=platform, store=store)
        if platform.sagemaker is not None:
            from .sagemaker import Endpoint
            Endpoint(self, "sagemaker", spec=platform.sagemaker, platform=platform, store=store)

    def pin_providers(self, names: list[str]) -> None:
        """required_providers.<name> = {source: hashicorp/<name>, version: <bindings' version>}
        for each name, in one override (one engine round trip, not two a provider): the engine
        deep-merges overrides into the stack, so this is the same override tree, and the same
        output, as one override per field."""
        self.add_override("terraform.required_providers", {
            name: {"source": engine.PROVIDERS[name]["source"],
                   "version": engine.PROVIDERS[name]["version"]} for name in names})

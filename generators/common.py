"""Engine helpers shared by the generators: stable addresses, protection, the account, KMS keys.

* ``Capability``: the base of the generators; each resource is created on the stack itself with
  its fixed Terraform address as id (addresses are a contract: renaming one replaces the real
  resource). Stateful resources are created with ``**protected()``: ``lifecycle.prevent_destroy``.
* ``kms_key``: a customer-managed key with rotation, its key policy and alias.

The plain-JSON policies are in generators/policies.py (no engine: tested without Node), the one S3
bucket recipe in generators/s3.py.
"""
from __future__ import annotations

from . import engine
from .policies import account_administration, policy


class Capability:
    """One capability of a platform (artifacts, backup, ...): a group of resources added straight
    to the stack, not a construct of its own.

    Addresses are a contract (renaming one replaces the real resource). CDKTF gives an element that
    is a direct child of its stack the logical id it was created with, and a hashed path to a nested
    one; so every resource is created on the stack with its fixed address as id, and no
    ``overrideLogicalId`` call (an engine round trip per resource) is needed. ``scope`` is the stack;
    ``id`` names the capability for the reader (the construct-style signature) and is not used.
    """

    def __init__(self, scope, id: str) -> None:
        self.scope = scope


def protected() -> dict:
    """Constructor arguments of a stateful resource: ``lifecycle.prevent_destroy`` (given at
    creation, not set afterwards: each engine call is a round trip to the jsii kernel)."""
    return {"lifecycle": engine.cdktf.TerraformResourceLifecycle(prevent_destroy=True)}


def account_id(stack) -> str:
    """The stack's account id: the spec's, or the caller-identity data source (created once)."""
    platform = getattr(stack, "platform", None)
    if platform is not None and platform.account_id:
        return platform.account_id
    caller = getattr(stack, "_caller_identity", None)
    if caller is None:
        caller = engine.aws("data_aws_caller_identity").DataAwsCallerIdentity(stack, "current")
        stack._caller_identity = caller
    return caller.account_id


def kms_key(scope, prefix: str, *, description: str, alias: str, account: str, partition: str,
            extra_statements: tuple[dict, ...] = (), region: str | None = None):
    """A customer-managed key with rotation on and an explicit key policy, plus its alias."""
    kms = engine.aws("kms_key")
    statements = [account_administration(partition, account), *extra_statements]
    key = kms.KmsKey(scope, f"{prefix}_kms_key", description=description, enable_key_rotation=True,
                     deletion_window_in_days=30, policy=policy(*statements),
                     **({"region": region} if region else {}), **protected())
    engine.aws("kms_alias").KmsAlias(scope, f"{prefix}_kms_alias", name=alias,
                                     target_key_id=key.key_id,
                                     **({"region": region} if region else {}))
    return key


def output(scope, name: str, value, description: str):
    return engine.cdktf.TerraformOutput(scope, name, value=value, description=description,
                                        static_id=True)

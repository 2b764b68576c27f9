"""One boto3 session per command: clients, the account check, AWS errors as one-line diagnostics.

Credentials come from boto3's standard chain (environment, shared files, SSO, instance roles), with
``--profile`` choosing a named profile; the region is ``--region`` or the spec's ``aws.region``.
``AWS_ENDPOINT_URL`` (and the per-service ``AWS_ENDPOINT_URL_<SERVICE>``) are honoured by botocore
itself, which is how the tests point every client at moto's server on 127.0.0.1.
"""
from __future__ import annotations

from typing import Any, Callable

import boto3
from botocore.config import Config
from botocore.exceptions import (BotoCoreError, ClientError, EndpointConnectionError,
                                 NoCredentialsError, NoRegionError, PartialCredentialsError,
                                 ProfileNotFound)

from compiler import names

from .errors import OpsError

# Tests replace this with a function (service, session, region) -> client, e.g. to put botocore's
# Stubber on the Backup client for the calls moto does not implement.
CLIENT_FACTORY: Callable[[str, Any, str | None], Any] | None = None

_CONFIG = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=10,
                 read_timeout=60, user_agent_extra="mplat")

DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
          "UnauthorizedAccess", "AuthorizationError", "Forbidden", "403"}
BAD_CREDENTIALS = {"InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
                   "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidAccessKeyId",
                   "InvalidToken", "TokenRefreshRequired"}


class Aws:
    """The AWS side of one command run."""

    def __init__(self, *, region: str | None, profile: str | None = None) -> None:
        self.region = region
        self.profile = profile
        self._session = None
        self._clients: dict[str, Any] = {}
        self.identity: dict | None = None

    @property
    def session(self):
        if self._session is None:
            try:
                self._session = boto3.Session(profile_name=self.profile)
            except ProfileNotFound:
                raise OpsError(f"AWS profile '{self.profile}' is not configured "
                               "(see ~/.aws/config; or drop --profile)") from None
        return self._session

    def client(self, service: str):
        if service not in self._clients:
            if CLIENT_FACTORY is not None:
                self._clients[service] = CLIENT_FACTORY(service, self.session, self.region)
            else:
                self._clients[service] = self.session.client(service, region_name=self.region,
                                                             config=_CONFIG)
        return self._clients[service]

    def call(self, service: str, operation: str, what: str = "", **params) -> dict:
        """``client(service).<operation>(**params)``; an AWS refusal becomes an OpsError that
        names the call and ``what`` it was about, and keeps the AWS error code."""
        method = getattr(self.client(service), operation)
        try:
            return method(**params)
        except ClientError as exc:
            raise client_error(exc, service, operation, what, self.identity) from None
        except BotoCoreError as exc:
            raise core_error(exc, self) from None

    def pages(self, service: str, operation: str, what: str = "", **params):
        """Every page of a paginated call (errors as in :meth:`call`)."""
        paginator = self.client(service).get_paginator(operation)
        try:
            yield from paginator.paginate(**params)
        except ClientError as exc:
            raise client_error(exc, service, operation, what, self.identity) from None
        except BotoCoreError as exc:
            raise core_error(exc, self) from None

    def check_account(self, expected: str | None) -> dict:
        """STS GetCallerIdentity: proves the credentials work, and that they are for the account the
        spec names (``aws.account_id``) when it names one."""
        self.identity = self.call("sts", "get_caller_identity", "the credentials")
        actual = self.identity.get("Account")
        if expected and actual != expected:
            raise OpsError(f"wrong account: the credentials ({self.identity.get('Arn')}) are for "
                           f"account {actual}, the spec's aws.account_id is {expected}; use "
                           f"credentials or a --profile for account {expected}",
                           code="WrongAccount")
        caller = names.partition_of_arn(self.identity.get("Arn", ""))
        region = self.region_name
        if caller and region and caller != names.partition(region):
            raise OpsError(f"wrong partition: the credentials ({self.identity.get('Arn')}) are in "
                           f"the {caller} partition, region {region} is in "
                           f"{names.partition(region)}; use credentials for {region}'s partition "
                           "or another --region", code="WrongPartition")
        return self.identity

    @property
    def region_name(self) -> str | None:
        """``--region`` or the spec's aws.region, else the session's (profile, AWS_REGION)."""
        return self.region or self.session.region_name

    @property
    def partition(self) -> str:
        """The partition of the region (compiler.names, as in every ARN the stack holds); without
        a region, the caller's (check_account compares the two)."""
        region = self.region_name
        if region:
            return names.partition(region)
        return names.partition_of_arn((self.identity or {}).get("Arn", "")) or "aws"


def client_error(exc: ClientError, service: str, operation: str, what: str,
                 identity: dict | None = None) -> OpsError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
    message = " ".join(str(error.get("Message") or "").split()).rstrip(".")
    if message.startswith("<"):            # an HTML error page (e.g. an API the endpoint lacks)
        message = ""
    if len(message) > 200:
        message = message[:197] + "..."
    about = f" ({what})" if what else ""
    api = "".join(part.capitalize() for part in operation.split("_"))
    if code in DENIED:
        who = f" for {identity['Arn']}" if identity and identity.get("Arn") else ""
        return OpsError(f"access denied: {service}:{api}{about}{who}; grant that permission or "
                        "use another --profile", code=code)
    if code in BAD_CREDENTIALS:
        return OpsError(f"the AWS credentials were rejected ({code}: {message}); refresh them "
                        "(e.g. aws sso login) or use another --profile", code=code)
    return OpsError(f"{service}:{api}{about} failed: {code}" + (f": {message}" if message else ""),
                    code=code)


def core_error(exc: BotoCoreError, aws: Aws | None = None) -> OpsError:
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return OpsError("no AWS credentials found: set AWS_PROFILE or pass --profile, or export "
                        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (boto3's standard chain)",
                        code="NoCredentials")
    if isinstance(exc, NoRegionError):
        return OpsError("no AWS region: pass --region", code="NoRegion")
    if isinstance(exc, ProfileNotFound):
        return OpsError(f"AWS profile '{aws.profile if aws else '?'}' is not configured",
                        code="ProfileNotFound")
    if isinstance(exc, EndpointConnectionError):
        return OpsError(f"cannot reach AWS: {exc}", code="EndpointConnectionError")
    return OpsError(f"AWS call failed: {exc}", code=type(exc).__name__)

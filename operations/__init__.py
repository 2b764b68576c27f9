"""Operational commands: the third part beside the front end (``compiler/``) and the back end
(``generators/``). They act on the live account: list and roll back model versions, restore the
model bucket to a point in time, check rollback readiness and show the configuration history.

They read the typed model (``compiler.model`` via ``compiler.pipeline``) and take every AWS name
from ``compiler.names`` through it; they talk to AWS with boto3 and never import the CDK engine.
``operations.cli`` (argument parsing) imports neither boto3 nor the compiler: `mplat validate` and
`mplat synth` register the commands without paying for them.
"""

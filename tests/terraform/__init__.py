"""Real Terraform against moto: init, validate, apply, plan, destroy-plan of a synthesized stack.

The test suite (tests/test_terraform.py) runs every example stack and a few generated variants
through the real ``terraform`` binary and the real hashicorp/aws provider from a filesystem mirror,
against moto's server on 127.0.0.1. Other tests (``mplat diff``) reuse the same small API:

    tools = find_tools()                    # terraform + mirror + the mirror's aws version
    cli = write_cli_config(tmp / "cli.tfrc", tools.mirror)
    with MotoServer(account="123456789012") as moto:
        wd = Workdir(tmp / "stack", tools, cli)
        wd.write_config(doc, exclusions(doc))   # translate(doc) minus GAPS exclusions + backend
        wd.init(); wd.validate()            # (apply validates too)
        wd.use_moto(moto.endpoint)          # the moto override file + environment
        wd.apply()
        wd.write_config(changed_doc, exclusions(changed_doc))
        changes = wd.plan_changes()         # plan -out (+ show -json if it changes) -> [Change]
        assert changes[0].replace           # actions ["delete","create"]: "must be replaced"

Pieces (each usable alone):

* :func:`find_tools` -- ``terraform`` from ``$MPLAT_TERRAFORM`` or the PATH; the provider mirror
  from ``$MPLAT_TF_MIRROR`` or the machine's (the first ``registry.terraform.io`` directory at
  depth <= 4 under /, as ``find / -maxdepth 4 -name registry.terraform.io`` finds it). A missing
  piece raises :class:`Unavailable` whose message is one line saying what is missing and how to
  point the tests at it.
* :func:`write_cli_config` -- a CLI config whose ``provider_installation`` has only a
  ``filesystem_mirror`` (never the network) and NO ``plugin_cache_dir``: ``init`` then links each
  stack's ``.terraform/providers/.../<os_arch>`` straight to the mirror's unpacked directory, which
  nothing ever rewrites, so stacks may ``init``, ``validate``, ``apply`` and ``plan`` all at once
  (issue #22). Terraform documents the plugin cache as unsafe for concurrent use ("The plugin
  cache directory is not guaranteed to be concurrency safe. The provider installer's behavior in
  environments with multiple terraform init calls is undefined.", CLI configuration file,
  "Provider Plugin Cache"); the old shared cache was re-created by every ``init`` while other
  stacks read through it. An unpacked mirror makes the cache pointless anyway: nothing is
  copied, each stack gets a symlink (tests/test_tfharness_race.py checks both).
* :func:`translate` -- the ONLY change made to the generated JSON: the aws version pin becomes the
  mirror's version and, for a provider older than 6.0, v6's per-resource ``region`` argument becomes
  a provider alias (one ``provider "aws"`` block per extra region, a copy of the default one, incl.
  ``allowed_account_ids`` and ``default_tags``). tests/test_terraform.py proves it changes nothing
  else.
* Everything the emulator needs is added by Terraform *override files*
  (https://developer.hashicorp.com/terraform/language/files/override), never by editing the
  generated JSON: ``mplat_backend_override.tf.json`` (a local backend in the work directory instead
  of the stack's S3/local backend) and ``mplat_moto_override.tf.json`` (per aws provider block:
  ``s3_use_path_style`` and ``skip_metadata_api_check``; everything else of the generated block,
  ``allowed_account_ids`` included, stays and is enforced: credentials are validated against
  moto's STS). The endpoint is the environment variable ``AWS_ENDPOINT_URL`` (the provider's global
  endpoint, supported by 5.x), so every service, including ones a new generator starts using, goes
  to moto and never to AWS; ``CHECKPOINT_DISABLE=1`` keeps terraform itself off the network.
* :class:`MotoServer` -- ``python tests/tfharness.py serve`` on a free loopback port with
  ``MOTO_ACCOUNT_ID`` (one server per AWS account, so ``allowed_account_ids`` holds) and
  ``MOTO_IAM_LOAD_MANAGED_POLICIES=true``; the server is moto with the patches of :data:`GAPS`
  applied.
* :data:`GAPS` -- the one table of differences between AWS and moto 5.2.5 that block a step, by
  resource type and attribute, each with the reason, the evidence (moto source file:line or an AWS
  doc page) and the remedy: ``patch`` (a few lines patched into moto at server start, see
  :func:`patch_moto`) or ``exclude`` (the named resources are removed from the translated copy, see
  :func:`exclusions`). Kubernetes resources are excluded by name: the mirror has no kubernetes
  provider.
* :class:`Workdir` -- ``init``, ``validate``, ``apply``, ``plan(detailed_exitcode=True)``,
  ``plan_changes`` (parsed ``terraform show -json`` of a saved plan: :class:`Change`, whose
  ``replace`` is true for actions ``["delete","create"]`` or ``["create","delete"]``),
  ``refused_destroys`` (the addresses a destroy plan refuses because of ``prevent_destroy``),
  ``state_addresses``/``state_values`` (what ``terraform state list`` / ``show -json`` say after
  apply, read from the state file: tests/test_terraform.py checks they agree).
* :func:`running` (fleet.py) -- many stacks at once, one pool, moto servers per (group, account)
  that live until the block ends; :func:`fork` -- a copy of an applied stack's work directory to
  go on from (more plans, another apply) without applying again.
* :func:`run_stack` -- all steps for one stack, never raising: a :class:`StackRun` saying which
  steps passed, what was applied, excluded, changed on the second plan and refused on destroy.
  :func:`resolve` fills a stack's ``${...}`` references from the applied state (for checks on
  the values AWS would see, tests/aws_rules.py).
* ``python tests/tfharness.py check`` -- one line and exit 1 if terraform or the mirror is
  missing (``make test`` runs it first); ``python tests/tfharness.py serve -p PORT`` -- the
  patched moto server.

Where each piece lives (one module per role; tests/tfharness.py re-exports every public name and
is the ``check``/``serve`` command line, so tests keep writing ``import tfharness``):
``tools.py`` (find_tools, write_cli_config, check), ``translate.py`` (translate, region_alias),
``gaps.py`` (Gap, the GAPS table, exclusions, without), ``moto_patches.py`` (one function per GAPS
"patch" row, _PATCHES, patch_moto), ``server.py`` (FAKE_AWS_ENV -- the fake AWS environment every
test uses, the operations tests included --, MotoServer, serve) and ``workdir.py`` (Workdir, Change,
parse_plan, StackRun, run_stack, fork, resolve, protected), ``fleet.py`` (Job, running).
"""

"""Commands a newcomer reaches for (issue #19): ``init``, ``explain``, ``graph``, ``completion``,
``--version`` and ``schema --out``, and an example in every ``--help``.

A face-level room: it reads the compiler (and, for ``--version``, installed package metadata);
it never imports the CDK engine. The command line registers it with one call,
``newcomer.cli.register(parser, subparsers)``.
"""

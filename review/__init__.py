"""Change review: ``mplat diff`` (what a spec change does to each stack, with a guard against
destructive changes) and ``mplat affected`` (which stacks a change touches, for CI matrices).

A third part beside the front end (compiler/) and the back end (generators/): it reads specs at a
git revision, synthesizes through the synth cache and compares the outputs. ``mplat validate``
never imports it.
"""

"""The face of mplat: the `mplat` command (mplat/cli.py), the one module that knows every floor.

The floors, from the ground up: compiler -> generators -> operations, review -> mplat. An import only
ever points down (tests/test_layers.py derives the graph from the imports and checks it).
"""

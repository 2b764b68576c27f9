"""`python -m mplat` runs the `mplat` command."""
from mplat.cli import run

run()

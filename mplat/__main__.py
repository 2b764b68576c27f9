"""`python -m mplat` runs the `mplat` command."""
from mplat.cli import main

raise SystemExit(main())

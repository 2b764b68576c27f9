"""The exit codes of every `mplat` command, defined once (the face, review/ and operations/ use them).

0 ok; 1 errors were reported (diagnostics, a failed AWS call); 2 usage (bad arguments, an unknown
git revision); 3 `mplat diff` found a destructive change or a base it cannot compile (without --allow-destroy); 130 interrupted
(Ctrl-C, 128 + SIGINT as shells report it).
"""
EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2
EXIT_DESTRUCTIVE = 3
EXIT_INTERRUPTED = 130

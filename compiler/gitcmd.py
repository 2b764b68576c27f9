"""How mplat runs git, the one definition ``mplat diff`` (review/) and the served-pin history
(operations/) share.

Every git call takes ``--no-optional-locks``: it keeps read-only commands from writing (``git
status`` otherwise refreshes and rewrites .git/index: a review must not touch the user's
repository, and a concurrent ``git commit`` would meet index.lock). Documented in git(1),
"--no-optional-locks".
"""
GIT = ("git", "--no-optional-locks")

"""A shim: `python -m compiler.cli` still runs the `mplat` command, whose home is mplat/cli.py.

Older commits have their entry point here (review/basecode.py runs a base commit's own mplat), and
scripts may still call it. compiler/ imports nothing above itself: the face is found by module name
only when this file runs as a script, never when it is imported.
"""
if __name__ == "__main__":
    import runpy

    runpy.run_module("mplat", run_name="__main__", alter_sys=True)

"""One helper process: run a function in a forked process while this one goes on, written once
(compiler.pipeline checks half of many files in it; review validates the working tree in it
while it synthesizes).

Where there is no ``fork`` or no second core, or the helper process dies (``BrokenProcessPool``,
e.g. killed for memory), the function runs in this process when its result is asked for: the
result is the same either way, only the time differs.
"""
from __future__ import annotations

import os
from typing import Callable, TypeVar

T = TypeVar("T")


def in_background(fn: Callable[..., T], *args) -> Callable[[], T]:
    """Start ``fn(*args)`` in a forked helper process now; return a function that waits for it and
    returns its result (or computes it here, see the module doc)."""
    if (os.cpu_count() or 1) < 2:
        return lambda: fn(*args)
    import multiprocessing                       # not on the common path: ~7 ms to import
    if "fork" not in multiprocessing.get_all_start_methods():
        return lambda: fn(*args)
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(fn, *args)

    def join() -> T:
        try:
            return future.result()
        except BrokenProcessPool:                # the helper died: compute it here
            return fn(*args)
        finally:
            pool.shutdown()
    return join

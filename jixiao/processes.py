"""Processes that can be killed: how workers start, a memory limit per process, children that end
with their parent, and a writer run beside the parent's own work.

Nothing here knows about documents: the runner (``jixiao.runner``) decides what runs where.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from typing import Callable

# How worker processes start: "forkserver" where the platform has it — forked from a server that
# loaded what workers need once, and that holds nothing of the run, so a worker's memory does not
# grow with the archive (a worker forked from the parent inherits, and in part copies, its
# per-input state) — but "fork" for a small run; else "spawn" (Windows).
# JIXIAO_START_METHOD=fork|forkserver|spawn forces one, e.g. spawn to test the Windows path on Linux.
START_METHOD_VARIABLE = "JIXIAO_START_METHOD"
# Descriptors only the parent may hold (the lock on OUT): closed in every forked child.
PARENT_ONLY_FDS: list[int] = []


def start_method(small_run: bool = False) -> str:
    """The multiprocessing start method of the run's worker processes (ValueError for a bad
    ``JIXIAO_START_METHOD``). A small run (no worker would be renewed in it) forks its workers
    from itself where it can: it holds little per input, and a fork server's start (a fresh
    interpreter importing jixiao) would be much of its time (a one-page PDF, busy 2-core machine: 2.4 s against 1.5 s)."""
    available = multiprocessing.get_all_start_methods()
    wanted = os.environ.get(START_METHOD_VARIABLE, "").strip()
    if wanted:
        if wanted not in available:
            raise ValueError(f"{START_METHOD_VARIABLE}={wanted} is not a start method of this platform "
                             f"(it has: {', '.join(available)})")
        return wanted
    if small_run and "fork" in available:
        return "fork"
    return "forkserver" if "forkserver" in available else "spawn"


def limit_address_space(mb: int) -> bool:
    """Limit this process's address space to ``mb`` MB where the platform can (the resource module
    with RLIMIT_AS: Linux, the BSDs); False where it cannot (Windows) or refuses (macOS)."""
    try:
        import resource
    except ImportError:
        return False
    which = getattr(resource, "RLIMIT_AS", None)
    if which is None:
        return False
    limit = mb * 1024 * 1024
    try:
        resource.setrlimit(which, (limit, limit))
    except (ValueError, OSError):
        return False
    return True


def held_fds() -> list[int]:
    return list(PARENT_ONLY_FDS)


def side_by_side(first: Callable[[], None], second: Callable[[], None], parallel: bool) -> None:
    """Run ``first`` in a forked process while this one runs ``second``; its exception, if any,
    is raised here once both are done."""
    # A closure cannot be spawned: where the platform cannot fork (or spawn is asked for), one after the other.
    if not parallel or start_method() == "spawn" or "fork" not in multiprocessing.get_all_start_methods():
        first()
        second()
        return
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe(duplex=False)
    parent, inherited = os.getpid(), [here.fileno(), *held_fds()]

    def child() -> None:  # pragma: no cover - child
        end_with_parent(parent, inherited)
        try:
            first()
            there.send(None)
        except BaseException as exc:  # noqa: BLE001 - carried to the parent, which raises it
            there.send(f"{type(exc).__name__}: {exc}")

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    there.close()
    try:
        second()
    finally:
        try:
            problem = here.recv()
        except EOFError:
            proc.join()
            problem = f"the writer process died (exit code {proc.exitcode})"
        proc.join()
        here.close()
    if problem is not None:
        raise RuntimeError(f"writing outputs failed: {problem}")


def end_with_parent(parent: int | None, inherited: list[int]) -> None:  # pragma: no cover - child
    """Make a child end when its parent does, even by ``kill -9``: close the pipe ends a forked child
    inherited from its siblings (else none of them ever sees end-of-file) and, on Linux, ask the
    kernel for SIGKILL at the parent's death. ``parent`` is None for a child of the fork server,
    whose parent is the server: the server ends when the run's process does, and so then do its
    children."""
    import signal

    for fd in inherited:
        try:
            os.close(fd)
        except OSError:
            pass
    if sys.platform.startswith("linux"):  # PR_SET_PDEATHSIG is Linux's alone
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if parent is not None and os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def stop_fork_server() -> None:
    """End the workers' fork server once a run's workers are done. The next run starts its own,
    with the readers it needs preloaded; and the server, reaped here, passes on the CPU time of the
    workers it reaped, so that it counts among this process's children (where ``time``, a batch
    system's accounting and the benchmark look for it) instead of vanishing with an orphan."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # private, but there since Python 3.4
    if stop is not None:
        stop()


def give_back_memory() -> None:
    """Return the heap's free pages to the system (glibc's ``malloc_trim``; elsewhere only a garbage
    collection). A long-lived worker whose tasks run on a thread of their own (Dask's) otherwise
    keeps every page it ever used, spread over its threads' malloc arenas: at 3,334 reports its
    workers grew from 93 to 243 MB; trimmed after each batch they stayed at 110–150 MB."""
    import gc

    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            pass

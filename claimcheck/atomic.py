"""Writing a file so that readers only ever see the old file or the complete new one.

The new file is written to a temporary file beside the target, named
``.~claimcheck-<target name>-<random>.tmp`` so that anyone can tell what it is, flushed to the
disk (``fsync``) and moved over the target in one step (``os.replace``); the folder is then
flushed too, so a power cut leaves the old file or the new one, never a mix.  The new file gets
the replaced file's permissions, else the usual ones for a new file (the umask), never private
0600 ones: coworkers on a shared practice folder keep access.

A temporary file holds client data, so it never outlives the run when it can be helped: it is
deleted when the writing fails, when the run is stopped with Ctrl+C (SIGINT) or ``kill``
(SIGTERM, SIGHUP); a run killed outright (SIGKILL, power loss) cannot clean up, so each run first
deletes this tool's own temporary files beside its target that are more than an hour old.
A failure to write raises :class:`~claimcheck.errors.CannotWrite` naming the target (never the
temporary file) and saying why in the biller's words ("no space left on the disk").
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import signal
import stat
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import CannotWrite

#: How this tool's temporary files start; the rest is the target's name, a random part and .tmp.
TEMP_PREFIX = ".~claimcheck-"
TEMP_SUFFIX = ".tmp"
#: A temporary file this old beside a target is left over from a killed run.
STALE_AFTER_SECONDS = 3600
_TEMP_NAME = re.compile(re.escape(TEMP_PREFIX) + r".*-[0-9a-f]{8}" + re.escape(TEMP_SUFFIX) + r"\Z", re.S)

_live: set[str] = set()  # temporary files being written by this process
_lock = threading.Lock()
_previous: dict[int, object] = {}  # signal -> the handler ours replaced
_CAUGHT = tuple(s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None)


def temp_name(target: Path) -> str:
    """``.~claimcheck-<target name>-<8 random hex digits>.tmp`` (the name cut to stay short)."""
    return f"{TEMP_PREFIX}{target.name[:120]}-{secrets.token_hex(4)}{TEMP_SUFFIX}"


def is_temp_name(name: str) -> bool:
    """True for the name of one of this tool's temporary files."""
    return bool(_TEMP_NAME.match(name))


def sweep_stale(folder: str | os.PathLike, older_than: float = STALE_AFTER_SECONDS) -> list[Path]:
    """Delete this tool's own temporary files in ``folder`` not changed for ``older_than``
    seconds (left by a run that was killed); returns those deleted.  Nothing else is touched."""
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and now - entry.stat(follow_symlinks=False).st_mtime > older_than:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _remove_live() -> None:
    for tmp in list(_live):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        _live.discard(tmp)


def _on_signal(signum, frame) -> None:
    """Delete the temporary files being written, then end the run as the signal would have."""
    _remove_live()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _watch(tmp: str) -> None:
    with _lock:
        if not _live and threading.current_thread() is threading.main_thread():
            for sig in _CAUGHT:
                try:
                    # Only where the signal would simply end the run: a signal that is ignored
                    # (nohup) or that the program handles itself is left as it is.
                    if signal.getsignal(sig) == signal.SIG_DFL:
                        _previous[sig] = signal.SIG_DFL
                        signal.signal(sig, _on_signal)
                except Exception:  # not the main thread of the main interpreter, or no signals here
                    pass
        _live.add(tmp)


def _unwatch(tmp: str) -> None:
    with _lock:
        _live.discard(tmp)
        if not _live:
            for sig, previous in list(_previous.items()):
                try:
                    if signal.getsignal(sig) is _on_signal:
                        signal.signal(sig, previous)  # type: ignore[arg-type]
                except Exception:
                    pass
                del _previous[sig]


def _umask() -> int:
    """The process's umask, read without changing it where the system shows it."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    try:
        mask = os.umask(0o022)
        os.umask(mask)
        return mask
    except (OSError, AttributeError):
        return 0o022


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, else a new file's (0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _fsync(path: str | os.PathLike, folder: bool = False) -> None:
    """Flush a file (or a folder's entries) to the disk; skipped where the system cannot."""
    if folder and os.name == "nt":
        return
    try:
        fd = os.open(path, os.O_RDONLY if folder else os.O_RDWR)
    except OSError:
        if folder:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:  # a failed write-back is a failed write; "not supported here" is not
        if not folder and exc.errno in (errno.EIO, errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
            raise
    finally:
        os.close(fd)


_REASONS = {
    errno.ENOSPC: "no space left on the disk; free some space or write to another disk",
    getattr(errno, "EDQUOT", -1): "the disk quota is full; free some space or write to another disk",
    errno.EACCES: "permission denied (the file or its folder is read-only, or open in another program)",
    errno.EPERM: "permission denied (the file or its folder is read-only, or open in another program)",
    errno.EROFS: "the disk is read-only; write to another folder",
    errno.EISDIR: "is a folder; give a file name",
    errno.ENOENT: "no such folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself, or one a library wrapped, e.g. xlsxwriter's
    FileCreateError), or None."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError):
            return exc
        inner = next((a for a in getattr(exc, "args", ()) if isinstance(a, OSError)), None)
        exc = inner or exc.__cause__ or exc.__context__
        seen += 1
    return None


def cannot_write(target: Path, exc: BaseException) -> CannotWrite | None:
    """The one-line failure for ``target`` when ``exc`` is (or wraps) an OSError, else None."""
    error = _os_error(exc)
    if error is None or isinstance(error, CannotWrite):
        return error if isinstance(error, CannotWrite) else None
    reason = _REASONS.get(error.errno or 0) or (error.strerror or type(error).__name__).lower()
    return CannotWrite(error.errno or 0, f"{target}: could not be written: {reason}", str(target))


def _drop_frames(exc: BaseException) -> None:
    """Let go of what the failed writer held (an open ZipFile whose clean-up would write to the
    full disk again and print a traceback), quietly, now."""
    import gc
    import traceback

    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        seen: set[int] = set()
        chain = [exc]
        while chain:  # the exception, the ones it wraps, and those it was raised over
            e = chain.pop()
            if e is None or id(e) in seen or len(seen) > 10:
                continue
            seen.add(id(e))
            if e.__traceback__ is not None:
                traceback.clear_frames(e.__traceback__)
            chain += [e.__cause__, e.__context__, *(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))]
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextmanager
def replacing(target: str | os.PathLike, prefix: str = TEMP_PREFIX) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; when the block ends without an error,
    flush it to the disk and move it over ``target`` in one step (``os.replace``), otherwise
    delete it.  A failure never leaves a partial file, and an older ``target`` stays whole until
    the new one is complete.  ``prefix`` is accepted for older callers; every temporary file is
    named by :func:`temp_name`.  An OSError while writing is raised as :class:`CannotWrite`."""
    target = Path(target)
    if target.is_dir():
        raise CannotWrite(errno.EISDIR, f"{target}: could not be written: {_REASONS[errno.EISDIR]}", str(target))
    folder = target.parent
    sweep_stale(folder)
    mode = _mode_for(target)
    tmp = str(folder / temp_name(target))
    _watch(tmp)
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            yield Path(tmp)
            _fsync(tmp)
            if os.name != "nt":
                os.chmod(tmp, mode)
            os.replace(tmp, target)
            _fsync(folder, folder=True)
        except BaseException as exc:
            failure = cannot_write(target, exc) if isinstance(exc, Exception) else None
            if os.path.exists(tmp):
                os.unlink(tmp)
            if failure is not None:
                _drop_frames(exc)
                raise failure from None
            raise
    finally:
        try:
            if os.path.exists(tmp):
                os.unlink(tmp)
        finally:
            _unwatch(tmp)

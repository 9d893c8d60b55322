"""Writing a file so that readers only ever see the old file or the complete new one."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def replacing(target: str | os.PathLike, prefix: str = ".claimcheck-") -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; when the block ends without an error,
    move it over ``target`` in one step (``os.replace``), otherwise delete it.  A failure never
    leaves a partial file, and an older ``target`` stays whole until the new one is complete."""
    target = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

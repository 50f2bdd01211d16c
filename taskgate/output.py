"""Atomic output: a report, a config or converted runs is written whole or not at all.

Each file is staged in a temporary file beside its target, synced, then moved into place,
so an interruption (Ctrl-C, SIGTERM, a full disk) leaves the old file whole.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from taskgate.errors import OutputError


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; give a new one what the umask allows."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# What to do about the errors an output path commonly meets.
_OUTPUT_ADVICE = {
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "choose a folder on a writable disk",
    errno.ENOSPC: "the disk is full; free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is exceeded; free some space or write elsewhere",
    errno.EISDIR: "give a file name, not a folder",
}


def _output_error(path: Path, exc: OSError) -> OutputError:
    advice = _OUTPUT_ADVICE.get(exc.errno or 0)
    return OutputError(f"cannot write {path}: {exc.strerror}" + (f"; {advice}" if advice else ""))


def refuse_overwriting_inputs(outputs: Sequence[Path], inputs: Sequence[str | Path | None]) -> None:
    """An output that is one of the inputs (by name, link or hard link) would replace what
    was read with what was made from it: refused before any work is done."""
    files = [Path(i) for i in inputs if i is not None and str(i) != "-"]
    for output in outputs:
        for source in files:
            try:
                same = os.path.samefile(output, source)
            except OSError:  # one of them does not exist (yet): not the same file
                continue
            if same:
                raise OutputError(
                    f"cannot write {output}: the output is the input {source}; give another "
                    "file name for -o"
                )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that an interrupted write leaves the old file whole."""
    write_all_atomic([(path, data)])


def write_all_atomic(files: Sequence[tuple[Path, bytes]]) -> None:
    """Write every file or, interrupted or failing, none: each is staged whole in a temporary
    file beside its target, then all are moved into place together."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_stage(path, data), path))
        for temp, path in staged:
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise _output_error(path, exc) from None
    finally:
        for temp, _ in staged:  # gone once moved into place; left over only on failure
            Path(temp).unlink(missing_ok=True)


def _stage(path: Path, data: bytes) -> str:
    """Write ``data`` to a new temporary file in ``path``'s folder; return its name."""
    folder = path.parent
    if not folder.is_dir():
        problem = (
            f"{str(folder)!r} is a file, not a folder"
            if folder.exists()
            else f"folder {str(folder)!r} does not exist; create it"
        )
        raise OutputError(f"cannot write {path}: {problem}")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _output_error(path, exc) from None
        raise
    return temp

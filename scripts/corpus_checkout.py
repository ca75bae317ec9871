"""Clean checkouts of the corpus's apps from local git mirrors (scripts/corpus.py)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class StepFailed(Exception):
    """A setup step (checkout, install) failed: no verdict for this app."""


def find_mirror(mirrors: Path, repository: str) -> Path:
    owner, name = repository.split("/")
    for candidate in (
        mirrors / f"{owner}+{name}" / "repo",
        mirrors / f"{owner}+{name}",
        mirrors / name,
    ):
        if candidate.is_dir():
            return candidate
    raise StepFailed(f"checkout: no mirror of {repository} under {mirrors}")


def checkout(mirror: Path, root: Path, commit: str, reuse: bool) -> None:
    keep = (".venv", ".hv", "backend/.hv", "project/.hv", "project/.venv") if reuse else ()
    if not (root / ".git").is_dir():
        if root.exists():
            shutil.rmtree(root)
        _git("clone", "-q", "--no-checkout", str(mirror), str(root))
    _leave_out_missing(root, commit)
    _git("-C", str(root), "checkout", "-q", "-f", commit)
    excludes = [arg for path in keep for arg in ("-e", path)]
    _git("-C", str(root), "clean", "-q", "-ffdx", *excludes)


def _leave_out_missing(root: Path, commit: str) -> None:
    """A mirror lacks files of 4 MiB and more (data files): check out everything else."""
    listing = subprocess.run(
        ["git", "-C", str(root), "ls-tree", "-r", commit],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    blobs = [line.split(None, 3) for line in listing if " blob " in line]
    check = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch-check"],
        input="".join(f"{sha}\n" for _, _, sha, _ in blobs),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    missing = [path for (_, _, _, path), line in zip(blobs, check, strict=True) if line.endswith(" missing")]
    if missing:
        _git(
            "-C",
            str(root),
            "sparse-checkout",
            "set",
            "--no-cone",
            "/*",
            *(f"!/{p}" for p in missing),
        )


def _git(*args: str) -> None:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    if done.returncode:
        raise StepFailed(f"checkout: git {' '.join(args[:3])}: {done.stderr.strip()}")

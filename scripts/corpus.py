"""Run the corpus of public backends (scripts/corpus.toml) the way a new user would.

For each app: a clean checkout at the recorded commit from a local mirror, the app's own
dependencies installed as its README says (pip -r / uv sync / poetry install), this harness
installed with ``pip install <this repository>[local]`` into a separate ``.hv`` venv inside
the app's folder, then ``.hv/bin/python -m harness init --yes`` and
``.hv/bin/pytest --target local``. Records exit codes, the verdict of every checklist item,
the TODO lines init printed and the seconds each step took, as JSON and a Markdown table.

    .venv/bin/python scripts/corpus.py --mirrors /work/.mirror [--work /work/corpus-run]
        [--only NAME ...] [--reuse-venvs] [--out DIR]

A mirror of ``owner/name`` is found as DIR/owner+name/repo, DIR/owner+name or DIR/name
(a bare or normal git directory). Nothing is fetched but packages from package registries.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from corpus_checkout import StepFailed, checkout, find_mirror
from corpus_report import load_results, read_report, tail, write_results

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_PYTHON = "3.11"
TIMEOUTS = {"install": 1800, "harness": 900, "init": 900, "run": 1800}
# Variables of the caller that would change what the app or pytest reads.
DROPPED_ENV = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX", "POETRY_ACTIVE")


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    apps = tomllib.loads(Path(args.config).read_text())["app"]
    if args.only:
        apps = [app for app in apps if app["name"] in args.only]
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    tools = _tools(work)
    out = Path(args.out or work).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results = load_results(out / "corpus.json") if args.only else {}
    for app in apps:
        print(f"corpus: {app['name']} …", flush=True)
        result = run_app(app, Path(args.mirrors), work, tools, args.reuse_venvs, Path(args.harness))
        results[app["name"]] = result
        print(
            f"corpus: {app['name']}: {result['verdict']} in {result['seconds']:.0f} s", flush=True
        )
        write_results(out, results, apps_order(args.config))
    return 0


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirrors", required=True, help="folder of git mirrors (owner+name/repo)")
    parser.add_argument("--work", default="/work/corpus-run", help="where the checkouts go")
    parser.add_argument("--config", default=str(HERE / "corpus.toml"))
    parser.add_argument("--only", nargs="*", help="run just these apps (by name)")
    parser.add_argument(
        "--harness",
        default=str(REPO),
        help="the staging-harness checkout to install (default: this one)",
    )
    parser.add_argument("--out", help="folder for corpus.json and corpus.md (default: --work)")
    parser.add_argument(
        "--reuse-venvs",
        action="store_true",
        help="keep an existing .venv/.hv (the harness is still reinstalled); faster reruns",
    )
    return parser.parse_args(argv)


def interpreter(version: str) -> str:
    """A real (not shimmed) python3.X: on PATH, else under pyenv's versions folder."""
    for found in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")):
        return str(found)
    found_on_path = shutil.which(f"python{version}")
    if found_on_path:
        return found_on_path
    raise StepFailed(f"install: no python{version} on this machine")


def apps_order(config: str) -> list[str]:
    return [app["name"] for app in tomllib.loads(Path(config).read_text())["app"]]


def run_app(
    app: dict[str, Any], mirrors: Path, work: Path, tools: Path, reuse: bool, harness: Path
) -> dict:
    started = time.monotonic()
    root = work / app["name"]
    log = work / f"{app['name']}.log"
    log.write_text("")
    result: dict[str, Any] = {
        "app": app["name"],
        "repository": app["repository"],
        "commit": app["commit"],
        "subfolder": app["subfolder"],
        "kind": app.get("kind", ""),
        "shape": app.get("shape", ""),
        "services": app.get("services", []),
        "modelled": app.get("modelled", False),
        "edits": len(app.get("edits", [])),
        "harness": _revision(harness),
        "steps": {},
    }
    try:
        checkout(find_mirror(mirrors, app["repository"]), root, app["commit"], reuse)
        python = interpreter(app.get("python", DEFAULT_PYTHON))
        folder = root / app["subfolder"]
        _step(result, "install", lambda: install_app(app, python, root, folder, tools, log, reuse))
        _step(result, "harness", lambda: install_harness(harness, folder, log, reuse))
        apply_edits(app.get("edits", []), folder, log, tools)
        init_cmd = _hv(folder, "python", "-m", "harness", "init", "--yes")
        init = _step(result, "init", lambda: _run(init_cmd, folder, log, tools, "init"))
        result["init_exit"] = init.returncode
        result["todo"] = [
            line[6:] for line in init.stdout.splitlines() if line.startswith("TODO: ")
        ]
        run_cmd = _hv(folder, "pytest", "--target", "local", "-p", "no:cacheprovider")
        run = _step(result, "run", lambda: _run(run_cmd, folder, log, tools, "run"))
        result["exit"] = run.returncode
        result["tail"] = tail(run.stdout + run.stderr)
        result.update(read_report(folder))
    except StepFailed as failed:
        result["exit"] = None
        result["failed_step"] = str(failed)
        result["items"] = {}
        result["verdict"] = f"{failed}: failed (see {log.name})"
    result["seconds"] = round(time.monotonic() - started, 1)
    return result


def _step(result: dict, name: str, action: Any) -> Any:
    started = time.monotonic()
    try:
        return action()
    finally:
        result["steps"][name] = round(time.monotonic() - started, 1)


def install_app(
    app: dict, python: str, root: Path, folder: Path, tools: Path, log: Path, reuse: bool
) -> None:
    how = app["install"]
    if how.startswith("pip:"):
        venv = folder / ".venv"
        if not (reuse and venv.is_dir()):
            _checked([python, "-m", "venv", "--clear", str(venv)], folder, log, tools, "install")
        _checked([str(venv / "bin/pip"), "install", "-r", how[4:]], folder, log, tools, "install")
    elif how == "uv":
        _checked([str(tools / "uv"), "sync", "--python", python], root, log, tools, "install")
    elif how.split(":")[0] == "poetry":
        extra = how.split(":", 1)[1].split() if ":" in how else []
        _checked([str(tools / "poetry"), "env", "use", python], folder, log, tools, "install")
        _checked([str(tools / "poetry"), "install", *extra], folder, log, tools, "install")
    else:
        raise StepFailed(f"install: unknown install method {how!r}")


def apply_edits(edits: list[dict[str, Any]], folder: Path, log: Path, tools: Path) -> None:
    """The documented edits of corpus.toml: each a command run in the app's folder."""
    for edit in edits:
        _checked(
            [str(folder / arg) if arg.startswith(".venv/") else arg for arg in edit["run"]],
            folder,
            log,
            tools,
            "install",
        )


def install_harness(harness: Path, folder: Path, log: Path, reuse: bool) -> None:
    python = interpreter(DEFAULT_PYTHON)
    hv = folder / ".hv"
    if reuse and (hv / "bin/python").exists():
        cmd = [str(hv / "bin/pip"), "install", "--no-deps", "--force-reinstall", str(harness)]
        _checked(cmd, folder, log, None, "harness")
        return
    _checked([python, "-m", "venv", "--clear", str(hv)], folder, log, None, "harness")
    _checked([str(hv / "bin/pip"), "install", f"{harness}[local]"], folder, log, None, "harness")


def _revision(harness: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(harness), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def _hv(folder: Path, tool: str, *args: str) -> list[str]:
    return [str(folder / ".hv/bin" / tool), *args]


def _checked(cmd: list[str], cwd: Path, log: Path, tools: Path | None, step: str) -> None:
    done = _run(cmd, cwd, log, tools, step)
    if done.returncode:
        raise StepFailed(
            f"{step}: `{Path(cmd[0]).name} {' '.join(cmd[1:3])}` exit {done.returncode}"
        )


def _run(
    cmd: list[str], cwd: Path, log: Path, tools: Path | None, step: str
) -> subprocess.CompletedProcess[str]:
    with log.open("a") as out:
        out.write(f"\n$ (cd {cwd} && {' '.join(cmd)})\n")
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            env=clean_env(tools),
            capture_output=True,
            text=True,
            timeout=TIMEOUTS[step],
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise StepFailed(f"{step}: timed out after {exc.timeout} s") from exc
    with log.open("a") as out:
        out.write(done.stdout + done.stderr + f"[exit {done.returncode}]\n")
    return done


def clean_env(tools: Path | None) -> dict[str, str]:
    """The caller's environment without its venv, so the app sees what a fresh shell has."""
    env = {
        k: v for k, v in os.environ.items() if k not in DROPPED_ENV and not k.startswith("PYTEST_")
    }
    parts = [
        p
        for p in env.get("PATH", "").split(os.pathsep)
        if p and not (Path(p).parent / "pyvenv.cfg").exists()
    ]
    env["PATH"] = os.pathsep.join(([str(tools)] if tools else []) + parts)
    return env


def _tools(work: Path) -> Path:
    """A folder with just `uv` and `poetry` on it (no python), put first on PATH."""
    bindir = work / ".bin"
    bindir.mkdir(exist_ok=True)
    uv = Path(sys.executable).parent / "uv"
    if (bindir / "uv").is_symlink() and not (bindir / "uv").exists():
        (bindir / "uv").unlink()  # its checkout is gone (another worktree's venv)
    if not (bindir / "uv").exists() and uv.exists():
        (bindir / "uv").symlink_to(uv)
    poetry_venv = work / ".poetry"
    if not (poetry_venv / "bin/poetry").exists():
        subprocess.run([interpreter(DEFAULT_PYTHON), "-m", "venv", str(poetry_venv)], check=True)
        subprocess.run([str(poetry_venv / "bin/pip"), "install", "-q", "poetry"], check=True)
    if not (bindir / "poetry").exists():
        (bindir / "poetry").symlink_to(poetry_venv / "bin/poetry")
    return bindir


if __name__ == "__main__":
    raise SystemExit(main())

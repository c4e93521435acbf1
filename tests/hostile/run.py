"""Runs the hostile corpus (cases.yaml beside this file) against the surgesim CLI.

    python3 tests/hostile/run.py --cli build/cli/surgesim [-k WORD]

Each case runs in a fresh directory ($WORK) without a shell in between (the command line
is split like a shell's, after $WORK, $FILES and $PYTHON are replaced), under a hard
address-space limit of four times its memory budget, so that a blow-up fails the case
instead of the machine. It passes when the command exits with the expected status
within its time budget, its peak resident memory stays within its memory budget, its
stderr holds the key phrase, nothing it prints holds a `never` phrase, and the `check`
shell snippet, if any, succeeds afterwards. Cases that need a mount the machine does not
allow are skipped, and say so.
"""

import argparse
import os
import re
import resource
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
DEFAULT_SECONDS = 10.0
DEFAULT_MEMORY = "500M"


def size_in_bytes(text: str) -> int:
    match = re.fullmatch(r"(\d+)([KMG]?)", str(text))
    if not match:
        raise ValueError(f"not a size: {text!r} (bytes, or with K, M or G)")
    return int(match[1]) * UNITS[match[2]]


@dataclass
class Case:
    name: str
    run: str
    exit: int
    says: str
    seconds: float = DEFAULT_SECONDS
    memory: str = DEFAULT_MEMORY
    setup: str = ""
    check: str = ""
    never: list = field(default_factory=list)
    prints: str = ""  # a phrase its stdout must hold
    file_size: str = ""  # RLIMIT_FSIZE: writes past it fail as on a full disk
    tmpfs: str = ""  # a tmpfs of this size at $WORK/disk
    signal: dict = field(default_factory=dict)  # {send: TERM|INT, after: seconds}


@dataclass
class Outcome:
    ok: bool
    skipped: bool = False
    problems: list = field(default_factory=list)
    seconds: float = 0.0
    peak_bytes: int = 0


def limits_for(case: Case):
    memory = size_in_bytes(case.memory)
    file_size = size_in_bytes(case.file_size) if case.file_size else None

    def apply():
        cap = 4 * memory
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
            # Ignored, the signal lets the write fail with EFBIG, as a full disk would.
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    return apply


def expand(text: str, env: dict) -> str:
    """$WORK, $FILES and $PYTHON (and any other variable of `env`) replaced."""
    return re.sub(r"\$(\w+)", lambda m: env.get(m[1], m[0]), text)


def mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
    )
    return result.returncode == 0


def run_case(case: Case, cli: str, work: Path) -> Outcome:
    env = dict(os.environ, WORK=str(work), FILES=str(HERE / "files"), PYTHON=sys.executable)
    disk = work / "disk"
    if case.tmpfs and not mount_tmpfs(disk, case.tmpfs):
        return Outcome(ok=True, skipped=True, problems=["cannot mount a tmpfs here"])
    try:
        if case.setup:
            subprocess.run(["sh", "-euc", case.setup], cwd=work, env=env, check=True)
        argv = shlex.split(expand(case.run, env))
        if argv[0] == "surgesim":
            argv[0] = cli
        return supervise(case, argv, work, env)
    finally:
        if case.tmpfs:
            subprocess.run(["umount", str(disk)], capture_output=True)


def supervise(case: Case, argv: list, work: Path, env: dict) -> Outcome:
    out_path, err_path = work / ".stdout", work / ".stderr"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.monotonic()
        child = subprocess.Popen(
            argv, cwd=work, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
            preexec_fn=limits_for(case), start_new_session=True,
        )
        signalled = False
        deadline = start + case.seconds
        status, usage = None, None
        while status is None:
            pid, raw, usage = os.wait4(child.pid, os.WNOHANG)
            if pid == child.pid:
                status = os.waitstatus_to_exitcode(raw)
                break
            now = time.monotonic()
            if case.signal and not signalled and now - start >= float(case.signal["after"]):
                os.kill(child.pid, getattr(signal, "SIG" + case.signal["send"]))
                signalled = True
            if now > deadline:
                os.killpg(child.pid, signal.SIGKILL)
                os.wait4(child.pid, 0)
                return Outcome(ok=False, problems=[f"still running after {case.seconds} s"],
                               seconds=now - start)
            time.sleep(0.01)
        elapsed = time.monotonic() - start
    stdout = out_path.read_text(errors="replace")
    stderr = err_path.read_text(errors="replace")
    peak = usage.ru_maxrss * 1024
    problems = []
    if status != case.exit:
        problems.append(f"exit status {status}, expected {case.exit}")
    says = expand(case.says, env)
    if says not in stderr:
        problems.append(f"stderr lacks {says!r}")
    if case.prints and case.prints not in stdout:
        problems.append(f"stdout lacks {case.prints!r}")
    for phrase in case.never:
        if phrase in stdout or phrase in stderr:
            problems.append(f"printed {phrase!r}")
    if peak > size_in_bytes(case.memory):
        problems.append(f"peak memory {peak >> 20} MB over {case.memory}")
    if case.check:
        checked = subprocess.run(["sh", "-euc", case.check], cwd=work, env=env,
                                 capture_output=True, text=True)
        if checked.returncode != 0:
            problems.append(f"check failed: {case.check.strip()} {checked.stderr.strip()}")
    if problems:
        problems.append("stderr: " + stderr.strip()[-400:])
    return Outcome(ok=not problems, problems=problems, seconds=elapsed, peak_bytes=peak)


def load_cases(path: Path) -> list:
    cases = [Case(**entry) for entry in yaml.safe_load(path.read_text())]
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{path}: duplicate case names: {sorted(duplicates)}")
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", required=True, help="the surgesim executable under test")
    parser.add_argument("--cases", default=str(HERE / "cases.yaml"))
    parser.add_argument("-k", default="", help="only the cases whose name holds this")
    args = parser.parse_args()
    cli = str(Path(args.cli).resolve())
    failed = 0
    for case in load_cases(Path(args.cases)):
        if args.k not in case.name:
            continue
        with tempfile.TemporaryDirectory(prefix="surgesim-hostile-") as work:
            outcome = run_case(case, cli, Path(work))
        if outcome.skipped:
            word = "SKIP"
        else:
            word = "ok  " if outcome.ok else "FAIL"
        print(f"{word} {outcome.seconds:6.2f} s {outcome.peak_bytes >> 20:5d} MB  {case.name}")
        for problem in outcome.problems:
            print(f"       {problem}")
        failed += not outcome.ok
    print(f"{failed} failed" if failed else "all cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Runs action.yml's composite steps here, as a GitHub runner would: each
`run:` step in bash with the step's `env:` and `working-directory`, fresh
GITHUB_OUTPUT and GITHUB_PATH files, GITHUB_ACTION_PATH = this source tree,
a RUNNER_TEMP, and the `${{ }}` expressions action.yml uses; `uses:` steps
are recorded with their `with:`, not run. .ci/test_packaging.py drives it;
by hand, from a service's repository:

    python .ci/run_action.py --repo /path/to/service-repo \\
        --input profile=prod --input working-directory=services/agent

It prints each step's output and the outputs, and exits with the failing
step's code. Needs ruamel.yaml (the tools venv of .ci/run has it) and, for
the install step, cargo and a Python with pip (maturin comes from PyPI, or
from PIP_FIND_LINKS with PIP_NO_INDEX=1).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ruamel.yaml import YAML

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load_action():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        return YAML(typ="safe").load(f)


def base_env(path_first):
    """The caller's environment without SWML_*, PIP_* and GITHUB_* variables,
    and a PATH of `path_first`, cargo's directory and the system's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWML_", "PIP_", "GITHUB_"))}
    cargo = shutil.which("cargo")
    env["PATH"] = os.pathsep.join([*path_first, *([os.path.dirname(cargo)] if cargo else []),
                                   "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    return env


def run_action(inputs, repo, runner_temp=None, extra_env=None, work=None):
    """Runs the steps in the repository `repo` (the workspace).

    Returns (failed step or None, step outputs, uses, log, GITHUB_PATH lines),
    `log` a list of (step name, exit code, output)."""
    action = load_action()
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"inputs not declared in action.yml: {unknown}"
    values.update(inputs)
    temp = tempfile.mkdtemp(dir=work)
    runner_temp = runner_temp or os.path.join(temp, "runner-temp")
    os.makedirs(runner_temp, exist_ok=True)
    gh_path = os.path.join(temp, "path")
    open(gh_path, "w").close()
    step_outputs, uses, log = {}, [], []

    def evaluate(expr):
        m = re.fullmatch(r"inputs\.([\w-]+)", expr)
        if m:
            return values[m.group(1)]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        if m:
            return step_outputs.get(m.group(1), {}).get(m.group(2), "")
        m = re.fullmatch(r"(inputs\.[\w-]+|steps\.[\w-]+\.outputs\.[\w-]+) == '([^']*)'", expr)
        if m:
            return evaluate(m.group(1)) == m.group(2)
        raise AssertionError(f"expression this runner does not know: {expr}")

    def subst(text):
        return EXPR.sub(lambda m: str(evaluate(m.group(1))), str(text))

    for step in action["runs"]["steps"]:
        if "if" in step and not evaluate(EXPR.sub(lambda m: m.group(1), str(step["if"]))):
            continue
        if "uses" in step:
            uses.append((step["uses"], {k: subst(v) for k, v in step.get("with", {}).items()}))
            continue
        assert "${{" not in step["run"], f"step {step['name']!r}: an expression in the script text"
        assert step.get("shell") == "bash", f"step {step['name']!r}: shell is not bash"
        out = os.path.join(temp, f"out-{len(log)}")
        open(out, "w").close()
        # What earlier steps put on GITHUB_PATH comes first, as on a runner.
        with open(gh_path, encoding="utf-8") as f:
            added = [line.strip() for line in f if line.strip()]
        env = base_env(list(reversed(added)) + [os.path.dirname(sys.executable)])
        env.update(RUNNER_TEMP=runner_temp, GITHUB_OUTPUT=out, GITHUB_PATH=gh_path,
                   GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=ROOT, GITHUB_WORKSPACE=repo)
        env.update(extra_env or {})
        env.update({k: subst(v) for k, v in step.get("env", {}).items()})
        workdir = os.path.join(repo, subst(step.get("working-directory", ".")))
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                           env=env, cwd=workdir, capture_output=True, text=True, timeout=900)
        log.append((step["name"], r.returncode, r.stdout + r.stderr))
        if "id" in step:
            with open(out, encoding="utf-8") as f:
                step_outputs[step["id"]] = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        if r.returncode != 0:
            break
    with open(gh_path, encoding="utf-8") as f:
        path_lines = [line for line in f if line.strip()]
    failed = log[-1][0] if log and log[-1][1] != 0 else None
    return failed, step_outputs, uses, log, path_lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", default=".", help="the repository the action runs in (the workspace)")
    ap.add_argument("--input", action="append", default=[], metavar="NAME=VALUE",
                    help="an action input (repeatable)")
    args = ap.parse_args()
    inputs = dict(i.split("=", 1) for i in args.input)
    failed, outputs, uses, log, path_lines = run_action(inputs, os.path.abspath(args.repo))
    for name, code, text in log:
        print(f"--- {name} (exit {code})\n{text}")
    for name, with_ in uses:
        print(f"--- {name}: recorded, not run: {with_}")
    print(f"--- outputs: {outputs}")
    print(f"--- GITHUB_PATH: {path_lines}")
    return log[-1][1] if failed else 0


if __name__ == "__main__":
    sys.exit(main())

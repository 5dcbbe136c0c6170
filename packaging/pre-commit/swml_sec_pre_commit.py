"""pre-commit entry for swml-sec.

pre-commit runs ``swml-sec-pre-commit COMMAND [hook args] FILE...``. The
hook args are passed on to ``swml-sec COMMAND``; of the files, dotenv files
(``.env``, ``*.env``, ``.env.*``) are each checked as themselves: one run of
swml-sec per staged dotenv file, with that file as its first ``--env-file``
(a value set there is what python-dotenv keeps), then the hook args' own
``--env-file``s. When no dotenv file is staged, ``.env`` in the working
directory is read if git tracks it (a local, ignored ``.env`` is not part of
the repository, and a hook must not judge a commit by it). Config and
policy files only trigger the run: swml-sec finds the config file as the SDK
does, unless the hook args name one with ``--config FILE`` (this wrapper's
option).

pre-commit appends the file names after the hook args, with no ``--``
between them, and a file name can look like an option (a staged file named
``--policy=evil.env``). So, from the end, every argument that names an
existing file is a file, unless it is the value of a value option before
it; a ``--`` in the hook args ends the options explicitly. Every path is
handed to swml-sec as an option's value or after ``--``, never where it
could be read as an option.
"""

import os
import subprocess
import sys
import sysconfig

# swml-sec's options that take a value (as `--opt VALUE` or `--opt=VALUE`),
# and this wrapper's --config.
VALUE_OPTIONS = {
    "--service", "--env-file", "--format", "--profile", "--fail-on",
    "--warn-days", "--at", "--ca-file", "--policy", "--ignore",
    "--sarif-anchor", "--repo-root", "--stage", "--color", "--sdk", "--config",
}
COMMANDS = {"check", "resolve"}


def is_env_file(path):
    """`.env`, `prod.env`, `.env.example`, `.env.production`."""
    name = os.path.basename(path)
    return (name == ".env" or (name.endswith(".env") and len(name) > 4)
            or (name.startswith(".env.") and len(name) > 5))


def split_files(args):
    """(hook args, files): the files pre-commit appended at the end."""
    if "--" in args:
        at = args.index("--")
        return args[:at], args[at + 1:]
    end = len(args)
    while end > 0 and os.path.lexists(args[end - 1]):
        before = args[end - 2] if end >= 2 else None
        # `--policy p.toml`: p.toml exists, but is the option's value
        # (unless `--policy` is itself a file pre-commit passed).
        if before in VALUE_OPTIONS and not os.path.lexists(before):
            break
        end -= 1
    return args[:end], args[end:]


def split_args(args):
    """Hook args (options and an explicit CONFIG) and the files pre-commit added."""
    hook_args, files = split_files(args)
    options = []
    i = 0
    while i < len(hook_args):
        arg = hook_args[i]
        if arg in VALUE_OPTIONS and i + 1 < len(hook_args):
            options.extend(hook_args[i:i + 2])
            i += 2
            continue
        if arg.startswith("--config="):
            options.extend(["--config", arg.split("=", 1)[1]])
            i += 1
            continue
        if arg.startswith("-"):
            options.append(arg)
        else:
            files.insert(0, arg)
        i += 1
    return options, files


def swml_sec():
    """The swml-sec binary installed beside this script (the wheel's)."""
    name = "swml-sec.exe" if os.name == "nt" else "swml-sec"
    here = os.path.join(sysconfig.get_path("scripts"), name)
    return here if os.path.exists(here) else "swml-sec"


def tracked_by_git(path):
    """Whether git tracks `path` (or has it staged); False outside a repository."""
    try:
        r = subprocess.run(["git", "ls-files", "--error-unmatch", "--", path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return r.returncode == 0


def build_commands(argv):
    """(dotenv file checked as itself or None, swml-sec command line): one
    per staged dotenv file, or one."""
    if not argv or argv[0] not in COMMANDS:
        raise SystemExit("usage: swml-sec-pre-commit check|resolve [swml-sec options] [FILE...]")
    command, (options, files) = argv[0], split_args(argv[1:])
    config = None
    if "--config" in options:
        at = options.index("--config")
        config = options[at + 1]
        del options[at:at + 2]
    staged = [f for f in files if is_env_file(f)]
    if not staged and os.path.isfile(".env") and tracked_by_git(".env"):
        staged = [".env"]
    tail = ["--", config] if config is not None else []
    given = {os.path.normpath(options[i + 1]) for i, o in enumerate(options[:-1]) if o == "--env-file"}
    given |= {os.path.normpath(o.split("=", 1)[1]) for o in options if o.startswith("--env-file=")}
    if not staged:
        return [(None, [swml_sec(), command, *options, *tail])]
    # `--env-file=F`: a file named `--policy=x.env` stays a value. A file
    # the hook args read already is read once, where they put it.
    return [(f, [swml_sec(), command, *([] if os.path.normpath(f) in given else [f"--env-file={f}"]),
                 *options, *tail]) for f in staged]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    code = 0
    commands = build_commands(argv)
    for env_file, cmd in commands:
        if len(commands) > 1:
            print(f"swml-sec-pre-commit: {cmd[1]} with --env-file={env_file}", flush=True)
        try:
            code = max(code, subprocess.call(cmd))
        except OSError as err:
            print(f"swml-sec-pre-commit: cannot run swml-sec: {err.strerror}", file=sys.stderr)
            return 2
    return code


if __name__ == "__main__":
    sys.exit(main())

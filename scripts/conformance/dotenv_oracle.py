#!/usr/bin/env python3
"""What python-dotenv's load_dotenv(path) does for each case (a JSON array on
stdin, from dotenv_cases.py): one result per case, in order, on stdout.

Result: {"raises": null or "ValueError: ...",
         "vars": {TESTED name: final value or null},
         "lines": {TESTED name: [file index, line]} for names a file set,
         "skipped": [[file index, line, "error"|"no-value"], ...],
         "warnings": [[file index, line], ...]}   # python-dotenv's log lines

"line" is where the statement starts; python-dotenv's warning names the line
where the previous statement ended (before blank lines), also recorded.
Needs python-dotenv==1.2.4 (checked).
"""
import json
import logging
import os
import re
import sys
import tempfile

import dotenv
from dotenv.main import load_dotenv
from dotenv.parser import parse_stream
from dotenv.version import __version__

from dotenv_cases import TESTED

assert __version__ == "1.2.4", __version__


class Grab(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        m = re.search(r"starting at line (\d+)", record.getMessage())
        if m:
            self.lines.append(int(m.group(1)))


def statement_line(b):
    lead = re.match(r"\s*", b.original.string).group(0)
    return b.original.line + len(re.findall(r"\r\n|\n|\r", lead))


def run_case(c, work):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ["PATH"] = saved.get("PATH", "/usr/bin:/bin")
    os.environ.update(c["env"])
    grab = Grab()
    log = logging.getLogger("dotenv.main")
    log.addHandler(grab)
    log.setLevel(logging.DEBUG)
    result = {"raises": None, "skipped": [], "warnings": [], "lines": {}}
    try:
        for i, (name, text) in enumerate(c["files"]):
            path = os.path.join(work, name)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            disabled = dotenv.main._load_dotenv_disabled()
            before = set(os.environ)
            grab.lines = []
            try:
                load_dotenv(path)
            except Exception as e:  # the service would not start
                result["raises"] = f"{type(e).__name__}: {e}"
                break
            result["warnings"] += [[i, n] for n in grab.lines]
            if disabled:
                continue
            with open(path, encoding="utf-8") as f:
                bindings = list(parse_stream(f))
            for b in bindings:
                if b.error:
                    result["skipped"].append([i, statement_line(b), "error"])
                elif b.key is not None and b.value is None:
                    result["skipped"].append([i, statement_line(b), "no-value"])
            for name in TESTED:
                if name in os.environ and name not in before:
                    last = [b for b in bindings if b.key == name and not b.error]
                    result["lines"][name] = [i, statement_line(last[-1])]
        result["vars"] = {n: os.environ.get(n) for n in TESTED}
    finally:
        log.removeHandler(grab)
        os.environ.clear()
        os.environ.update(saved)
    return result


def main():
    cases = json.load(sys.stdin)
    out = []
    for c in cases:
        with tempfile.TemporaryDirectory() as work:
            out.append(run_case(c, work))
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()

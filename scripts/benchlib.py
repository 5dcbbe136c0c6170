"""What the benchmark scripts share: one measured run of a command."""
import os
import statistics
import subprocess
import sys
import tempfile


def measure(cmd, env=None, timeout=60, cwd=None):
    """(wall s, cpu s, max RSS KiB, output bytes) of one run, from GNU time.
    A run stopped at `timeout` counts as infinitely slow."""
    with tempfile.NamedTemporaryFile("r") as stats, tempfile.TemporaryFile() as out:
        try:
            subprocess.run(["/usr/bin/time", "-o", stats.name, "-f", "%e %U %S %M"] + cmd,
                           stdout=out, stderr=subprocess.DEVNULL, timeout=timeout, cwd=cwd,
                           env={"PATH": "/usr/bin:/bin", **(env or {})})
        except subprocess.TimeoutExpired:
            return float("inf"), float("inf"), 0, 0
        fields = stats.read().split()[-4:]
        out.seek(0, 2)
        wall, user, sys_, rss = float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3])
        return wall, user + sys_, rss, out.tell()


def require_tools(binary):
    """Stops with what to do when the release binary or GNU time is missing."""
    if not os.path.exists(binary):
        sys.exit("build first: cargo build --release")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs GNU time (Debian package `time`)")


def summarize(runs):
    """(median wall s, median cpu s, max RSS MiB, over-target flag) of runs."""
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = max(r[2] for r in runs) / 1024
    flag = "" if wall < 1 and rss < 100 else "  <- over target"
    return wall, cpu, rss, flag

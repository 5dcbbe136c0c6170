"""What the benchmark scripts share: one measured run of a command."""
import subprocess
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

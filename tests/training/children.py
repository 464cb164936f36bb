"""Training in a child process, killed with SIGKILL: shared by the tests of checkpoints and stray files."""
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def start(args):
    """``python ARGS`` with this checkout's numreg first on the path and one BLAS thread; stdout piped."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
               OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, *map(str, args)], stdout=subprocess.PIPE, text=True, env=env)


def kill_after(child, first_line, delay=0.0):
    """Wait for a line starting with ``first_line``, then ``delay`` seconds, then SIGKILL the child; returns the line."""
    try:
        line = child.stdout.readline()
        assert line.startswith(first_line), line
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
        return line
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()

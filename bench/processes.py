"""Stopping the servers a benchmark started."""

import subprocess


def stop(*processes: subprocess.Popen, timeout: float = 20) -> None:
    """Asks each process to stop, waits up to `timeout` seconds for each, then kills what is
    left: a server slow to stop on a loaded machine must neither outlive the benchmark nor
    raise out of its `finally` and lose the results printed after it."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

"""Container health checks of beat, which serves no HTTP: ``python -m sdr_ops.healthcheck
beat SCHEDULE [MAX_AGE]`` exits 0 while beat keeps writing its schedule file (it does every
few minutes, and after sending a job). The worker's check is ``celery inspect ping``."""

import os
import sys
import time
from glob import glob


def beat_is_alive(schedule: str, max_age: float = 600.0) -> bool:
    files = glob(f"{schedule}*")  # the dbm module may add a suffix
    return bool(files) and time.time() - max(os.path.getmtime(f) for f in files) < max_age


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "beat":
        sys.exit("usage: python -m sdr_ops.healthcheck beat SCHEDULE [MAX_AGE]")
    max_age = float(sys.argv[3]) if len(sys.argv) > 3 else 600.0
    sys.exit(0 if beat_is_alive(sys.argv[2], max_age) else 1)

"""Run the command line in this process and print its peak memory (with its writers)."""

import json
import resource
import sys
import time

from transfo_print.cli import main

started = time.monotonic()
code = main(sys.argv[1:])
elapsed = time.monotonic() - started
peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"code": code, "seconds": elapsed, "peak_mib": peak_kib / 1024}),
      file=sys.stderr)

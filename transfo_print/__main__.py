import sys

try:
    from .cli import entry
except KeyboardInterrupt:  # Ctrl-C while the tool is still starting: nothing was done yet
    sys.exit(130)

sys.exit(entry())

"""What the fork server of a build's pristine processes (workers._Pristine) imports before
it forks any: the layout engine, loaded once for all of them; and SIGINT and SIGTERM
ignored, so that a signal reaching a process before its task listens for it
(stopping.interrupts) cannot end it with a traceback. The build kills the processes itself
when it stops."""

import signal

from . import render

render.load_engine()
for signum in (signal.SIGINT, signal.SIGTERM):
    signal.signal(signum, signal.SIG_IGN)

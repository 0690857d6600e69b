"""Run the command line with Python's audit hooks listening: every program it starts
(subprocess, exec, posix_spawn, system), in this process and in the workers it forks, is
written to LOG, one line each. Process sampling can miss a program that runs for a few
milliseconds (a linker search); this cannot.

    python benchmarks/spawn_probe.py LOG build SOURCE --out OUT ...
"""

import os
import runpy
import sys

SPAWNS = {"subprocess.Popen": 0, "os.exec": 0, "os.posix_spawn": 0, "os.spawn": 1,
          "os.system": 0}  # event: index of the program in its arguments


def main() -> None:
    log = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def hook(event: str, args: tuple) -> None:
        if event in SPAWNS:
            program = args[SPAWNS[event]]
            if program is None and event == "subprocess.Popen":  # no executable= given
                program = args[1]
            if isinstance(program, (list, tuple)):
                program = program[0] if program else ""
            os.write(log, f"{event}\t{os.fsdecode(program)}\n".encode())

    sys.addaudithook(hook)
    sys.argv = ["transfo_print", *sys.argv[2:]]
    runpy.run_module("transfo_print", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers its [y/N] prompts, one answer per prompt, in
order: a person at a terminal, for the tests of r53migrate's interactive approvals.

usage: pty-drive.py ANSWER... -- COMMAND ARG...
Prints everything the command wrote to the terminal and exits with its exit code. Bounded: after
300 s the command is killed (exit 124)."""
import os, pty, select, signal, sys, time

def main() -> int:
    sep = sys.argv.index('--')
    answers, cmd = sys.argv[1:sep], sys.argv[sep + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = b''
    answered = 0
    deadline = time.monotonic() + 300
    while True:
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            sys.stdout.write(out.decode('utf-8', 'replace'))
            return 124
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b''
            if not chunk:
                break
            out += chunk
            if out.count(b'[y/N] ') > answered and answered < len(answers):
                os.write(fd, answers[answered].encode() + b'\r')
                answered += 1
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode('utf-8', 'replace'))
    return os.waitstatus_to_exitcode(status)

sys.exit(main())

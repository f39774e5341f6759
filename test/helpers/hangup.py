# Runs a command as the session leader of a new pseudo-terminal, reads (and drops) what it draws,
# and hangs the terminal up (closes the master side) once FILE has at least N lines: the kernel then
# sends SIGHUP, as when a terminal window is closed. Prints the child's wait status as
# "exit CODE" or "signal NAME". Usage: hangup.py FILE N TIMEOUT_S CMD ARGS...
import os, pty, select, signal, sys, time

path, n, timeout, argv = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)

def lines():
    try:
        with open(path, 'rb') as f:
            return f.read().count(b'\n')
    except FileNotFoundError:
        return 0

deadline = time.time() + timeout
while time.time() < deadline and lines() < n:
    ready, _, _ = select.select([fd], [], [], 0.05)
    if ready:
        try:
            os.read(fd, 65536)
        except OSError:
            break
os.close(fd)
timer = time.time() + timeout
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    if time.time() > timer:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.02)
if os.WIFSIGNALED(status):
    print('signal', signal.Signals(os.WTERMSIG(status)).name)
else:
    print('exit', os.WEXITSTATUS(status))

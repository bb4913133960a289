"""The worker processes: how many, and how one is forked.

The first workers are forked as soon as the unprivileged side starts,
before the supervisor has loaded its own modules (scamper_cli/main.py): a
worker loads what it runs (the engine, the packet codecs, the method and
output codec of the default command) while the supervisor loads what it
runs (sources, outputs), each on its own core, and neither holds what only
the other uses.  The supervisor forks the others (a pool that grows with
``set pps``, a worker that died) the same way.
"""

import os
import select
import signal
import socket
import sys

import prctl

# A worker process sends this many packets per second on one core (with the
# kernel's work for each); the pool has one worker per WORKER_PPS asked, at
# most one per CPU: every worker wakes for its own send slots, so a pool
# larger than the rate needs costs CPU for nothing.  Measured with
# bench/pps.py's list workload on 2 cores: one worker holds 16 000 pps
# (achieved 1.000) but not 20 000 (0.84), and at 10 000-16 000 it takes
# 15-25 % less CPU and 5-6 MB less memory than two; 12 000 keeps a margin.
WORKER_PPS = 12000
BACKLOG_SECONDS = 0.05    # of probes at the rate asked, queued in each worker


def size(pps):
    """The workers ``pps`` packets per second need."""
    return max(1, min(os.cpu_count() or 1, -(-pps // WORKER_PPS)))


def spawn(priv, pacer, nworkers, cfg, priv_chan=None):
    """Fork a worker: (its WorkerProcess, the supervisor's end of its
    channel).  ``cfg``: the run's format, sport and default command;
    ``priv_chan``: the worker's channel to the helper, if made already
    (else asked of ``priv``); closed here."""
    sup_end, worker_end = socket.socketpair(socket.AF_UNIX,
                                            socket.SOCK_STREAM)
    try:
        if priv_chan is None:
            priv_chan = priv.new_channel()
        backlog = int(pacer.pps * BACKLOG_SECONDS / nworkers)
        wcfg = {'format': cfg.get('format', 'text'), 'sport': cfg['sport'],
                'command': cfg.get('command'),
                'backlog': min(max(2, backlog), 1000)}
        proc = WorkerProcess(_worker_entry,
                             (worker_end, priv_chan, pacer, wcfg),
                             (worker_end.fileno(), priv_chan.fileno()))
        # its backlog's room, which it does not say: the supervisor fills
        # it at once, and the first tasks wait in the channel while the
        # worker starts
        proc.room = wcfg['backlog']
    except OSError:
        sup_end.close()
        raise
    finally:
        worker_end.close()
        if priv_chan is not None:
            priv_chan.close()
    return proc, sup_end


class WorkerProcess:
    """A worker forked from the supervisor's process (no multiprocessing:
    it costs start-up time).  The child keeps only its channels and stdio,
    and runs ``target(*args)``; ``sentinel`` (a pidfd) is readable once it
    ended."""

    def __init__(self, target, args, keep):
        keep = sorted({0, 1, 2, *keep})
        pid = os.fork()
        if pid == 0:                                # the worker
            code = 1
            try:
                ends = keep[1:] + [os.sysconf('SC_OPEN_MAX')]
                for lo, hi in zip(keep, ends):
                    os.closerange(lo + 1, hi)
                target(*args)
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:
                import traceback
                traceback.print_exc()
            finally:
                try:
                    sys.stderr.flush()
                finally:
                    os._exit(code)
        self.pid = pid
        self.sentinel = os.pidfd_open(pid)
        self.exitcode = None
        self.room = 0

    def join(self, timeout=None):
        if self.exitcode is None and select.select(
                [self.sentinel], [], [], timeout)[0]:
            _, status = os.waitpid(self.pid, 0)
            self.exitcode = os.waitstatus_to_exitcode(status)
            os.close(self.sentinel)

    def is_alive(self):
        self.join(0)
        return self.exitcode is None

    def kill(self):
        if self.exitcode is None:
            os.kill(self.pid, signal.SIGKILL)
            self.join()


def _worker_entry(worker_end, priv_chan, pacer, cfg):
    prctl.set_pdeathsig(signal.SIGTERM)
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the supervisor's
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    from scamperd import commands, landlock, syscalls
    from scamperd.worker import worker_main
    commands.preload(cfg.get('command'), cfg['format'])
    # a worker reads Python's files and writes none: its sockets come
    # from the helper, its results go to the supervisor
    try:
        landlock.confine()
        syscalls.confine()
    except OSError as e:
        sys.stderr.write('scamper: worker not confined: %s\n' % e)
    worker_main(worker_end, priv_chan, pacer, cfg)

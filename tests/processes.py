"""Helpers for tests that run a command in a process of its own."""

import signal


def default_sigint():
    """Give a child process the default Ctrl-C, whatever its parent had.

    A shell starts background jobs with SIGINT ignored, children inherit
    that, and Python then installs no KeyboardInterrupt handler: a test's
    Ctrl-C would go unheard. Pass as ``preexec_fn`` to ``subprocess.Popen``.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)

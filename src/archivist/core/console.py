"""What the `archivist` command tells the person running it: one line each, named after it."""

import sys


def say(message: str) -> None:
    print(f"archivist: {message}", flush=True)


def fail(message: str) -> int:
    """Say what went wrong on stderr; returns the exit status to end with."""
    print(f"archivist: {message}", file=sys.stderr, flush=True)
    return 1

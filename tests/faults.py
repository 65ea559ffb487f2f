"""A TCP forwarder that a test can cut and restore: a service going down and coming back,
as its clients see it (connections refused, open ones dropped)."""

import contextlib
import socket
import threading

from archivist.embedded.ports import free_port


class TcpProxy:
    def __init__(self, target_host: str, target_port: int | str) -> None:
        self.target = (target_host, int(target_port))
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """Refuse new connections and drop the open ones."""
        if self._listener is not None:
            # shutdown() wakes the accepting thread; close() alone would leave it listening.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = self._connect_upstream()
            if upstream is None:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _connect_upstream(self) -> socket.socket | None:
        return open_upstream(self.target)

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def open_upstream(target: tuple[str, int]) -> socket.socket | None:
    try:
        upstream = socket.create_connection(target, timeout=5)
    except OSError:
        return None
    upstream.settimeout(None)  # a slow answer (a chat stream, a drain) is not a dead peer
    return upstream

"""A TCP forwarder to the database that a test can cut and restore, like a network outage."""

from __future__ import annotations

import contextlib
import socket
import threading


class Outage:
    """Forwards 127.0.0.1:<port> to ``target``; ``cut()`` drops every connection and refuses
    new ones until ``restore()``; ``silence()`` drops every connection and accepts new ones
    that are then never answered (a hung server) until ``restore()``."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.server: socket.socket | None = None
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        self.silent = False
        self.restore()

    def silence(self) -> None:
        with self.lock:
            self.silent = True
            links, self.links = self.links, []
        self._drop(links)

    def restore(self) -> None:
        with self.lock:
            self.silent = False
            if self.server is not None:  # silenced, still listening
                return
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen()
        self.port = server.getsockname()[1]
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def cut(self) -> None:
        with self.lock:
            server, self.server = self.server, None
            links, self.links = self.links, []
        if server is not None:
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        self._drop(links)

    close = cut

    @staticmethod
    def _drop(links: list[socket.socket]) -> None:
        for link in links:
            with contextlib.suppress(OSError):
                link.shutdown(socket.SHUT_RDWR)
            link.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            with self.lock:
                if self.silent:  # accepted, and never a word in reply
                    self.links.append(client)
                    continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.links += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

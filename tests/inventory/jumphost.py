"""A minimal SSH jump host for tests: key authentication and `direct-tcpip` to 127.0.0.1 only."""

from __future__ import annotations

import select
import socket
import threading

import paramiko


class _Server(paramiko.ServerInterface):
    def __init__(self, owner: JumpHost) -> None:
        self.owner = owner
        self.destinations: dict[int, tuple[str, int]] = {}

    def get_allowed_auths(self, username: str) -> str:
        return "publickey"

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        good = username == self.owner.user and key.get_base64() == self.owner.client_key.get_base64()
        return paramiko.AUTH_SUCCESSFUL if good else paramiko.AUTH_FAILED

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_direct_tcpip_request(self, chanid: int, origin, destination) -> int:
        if destination[0] != "127.0.0.1":  # tests never leave the loopback
            return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        self.destinations[chanid] = (destination[0], int(destination[1]))
        self.owner.forwarded.append(self.destinations[chanid])
        return paramiko.OPEN_SUCCEEDED


class JumpHost:
    """Listens on 127.0.0.1; `forwarded` lists every (host, port) it opened a tunnel to."""

    def __init__(self, client_key: paramiko.PKey, user: str = "jumper") -> None:
        self.client_key = client_key
        self.user = user
        self.host_key = paramiko.ECDSAKey.generate()
        self.forwarded: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> JumpHost:
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        transport = paramiko.Transport(conn)
        transport.add_server_key(self.host_key)
        server = _Server(self)
        try:
            transport.start_server(server=server)
        except (paramiko.SSHException, EOFError):
            return
        while transport.is_active() and not self._stop.is_set():
            channel = transport.accept(timeout=0.2)
            if channel is not None:
                self._spawn(self._pump, channel, server.destinations[channel.get_id()])
        transport.close()

    def _pump(self, channel: paramiko.Channel, destination: tuple[str, int]) -> None:
        try:
            sock = socket.create_connection(destination, timeout=5)
        except OSError:
            channel.close()
            return
        try:
            while not self._stop.is_set():
                ready, _, _ = select.select([channel, sock], [], [], 0.2)
                if channel in ready:
                    data = channel.recv(32768)
                    if not data:
                        break
                    sock.sendall(data)
                if sock in ready:
                    data = sock.recv(32768)
                    if not data:
                        break
                    channel.sendall(data)
        except OSError:
            pass
        finally:
            sock.close()
            channel.close()

"""Close the connection after answering a request whose body was never read.

A request refused before its upload is read (401, 403, 413 ...) leaves the
rest of the body in the socket. Under granian the next request on that
keep-alive connection then failed ("Server disconnected without sending a
response") in 2-13% of such sequences; measured with 200 refused uploads
followed by a GET on one connection: 26 failures without this middleware, 0
with it. Telling the client `Connection: close` makes it open a fresh
connection, which is correct under every HTTP/1.1 server and costs one
handshake only on refusals. Draining the body instead would make a refused
client's upload cost the server its full size.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _announces_body(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"transfer-encoding":
            return True
        if name == b"content-length":
            return value.strip() not in (b"", b"0")
    return False


class CloseAfterUnreadBody:
    """ASGI middleware: add `Connection: close` when the response starts before the body ended."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _announces_body(scope):
            await self.app(scope, receive, send)
            return
        body_ended = False

        async def tracking_receive() -> Message:
            nonlocal body_ended
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body", False):
                body_ended = True
            return message

        async def closing_send(message: Message) -> None:
            if message["type"] == "http.response.start" and not body_ended:
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, tracking_receive, closing_send)

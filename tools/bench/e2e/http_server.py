#!/usr/bin/env python3
"""A minimal HTTP/1.1 server for the end-to-end benchmark (tools/bench/e2e.sh).

Answers every request on a connection with a short body naming the server and
closes the connection: wrk's short connections. asyncio rather than
http.server, whose thread per connection would be the bottleneck of both
balancers alike and hide the difference between them.

Usage: http_server.py NAME PORT   (prints "ready" once listening)
"""
import asyncio
import sys


async def handle(reader, writer, body):
    try:
        # Read up to the end of the request's headers; wrk sends no body.
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(name, port):
    body = (name + "\n").encode()
    server = await asyncio.start_server(lambda r, w: handle(r, w, body), "0.0.0.0", port, backlog=4096,
                                        reuse_address=True)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))

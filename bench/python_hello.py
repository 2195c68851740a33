"""The lesson 0 hello page on Python's http.server, for bench/run.

    PORT=0 python3 bench/python_hello.py            # HTTPServer: one request at a time
    PORT=0 python3 bench/python_hello.py threading  # ThreadingHTTPServer: a thread per connection

It answers every GET as hello_server does: 200, a Content-type header and
"Hello, HTTP!" plus a newline. It is written the way the Python course
writes it, so it keeps http.server's defaults: HTTP/1.0 (one request per
connection) and one log line per request on stderr.
The first line on stdout says where it listens, as for the course's servers.
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer


class HelloHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        message = "Hello, HTTP!\n".encode()
        self.send_header("Content-type", "text/plain; charset=utf-8")
        # The Python course leaves this out and lets the closed connection
        # mark the end of the body. wrk counts every such response as a
        # read error too, so say the length, as hello_server does.
        self.send_header("Content-Length", str(len(message)))
        self.end_headers()
        self.wfile.write(message)


def main():
    port = int(os.environ.get("PORT", "8000"))
    kind = ThreadingHTTPServer if sys.argv[1:] == ["threading"] else HTTPServer
    server = kind(("127.0.0.1", port), HelloHandler)
    host, port = server.server_address[:2]
    print(f"Serving HTTP on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()

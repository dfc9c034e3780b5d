"""A tiny SMTP server on loopback for the browser tests: it speaks enough ESMTP for lettre (EHLO,
HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and writes each message it receives to OUT_DIR as
<n>.eml. No TLS, no authentication: it listens on 127.0.0.1 only.

usage: smtp_sink.py PORT OUT_DIR
"""

import os
import socketserver
import sys
import threading

PORT, OUT = int(sys.argv[1]), sys.argv[2]
os.makedirs(OUT, exist_ok=True)
counter = iter(range(1, 1 << 30))
lock = threading.Lock()


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.reply("220 sink.localhost ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            verb = raw.decode(errors="replace").strip().split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-sink.localhost")
                self.reply("250 8BITMIME")
            elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if not line or line in (b".\r\n", b".\n"):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with lock:
                    n = next(counter)
                path = os.path.join(OUT, f"{n:05d}.eml")
                with open(path + ".part", "wb") as f:
                    f.write(b"".join(lines))
                os.rename(path + ".part", path)
                self.reply("250 OK queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


if __name__ == "__main__":
    with Server(("127.0.0.1", PORT), Session) as server:
        server.serve_forever()

"""CPython's socketserver as the reference for benches/net.rs.

  socketserver_echo.py tcp        ThreadingTCPServer echo on 127.0.0.1:0
  socketserver_echo.py udp        ThreadingUDPServer echo on 127.0.0.1:0
  socketserver_echo.py udp1       UDPServer (one thread, no thread per datagram)
  socketserver_echo.py shutdown N median idle shutdown() latency over N runs

The servers print their port on the first line and serve until stdin closes,
so the benchmark ends them by dropping the pipe.
"""

import socketserver
import statistics
import sys
import threading
import time


class TcpEcho(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(1024)
            if not data:
                return
            self.request.sendall(data)


class UdpEcho(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        sock.sendto(data, self.client_address)


class TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


class UdpServer(socketserver.ThreadingUDPServer):
    allow_reuse_address = True
    daemon_threads = True


class SingleUdpServer(socketserver.UDPServer):
    allow_reuse_address = True


def serve(server):
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the benchmark closes the pipe
    server.shutdown()


def shutdown_latency(runs):
    samples = []
    for _ in range(runs):
        server = TcpServer(("127.0.0.1", 0), TcpEcho)
        thread = threading.Thread(target=server.serve_forever)
        thread.start()
        time.sleep(0.05)  # let serve_forever enter its select loop
        start = time.perf_counter()
        server.shutdown()
        samples.append(time.perf_counter() - start)
        thread.join()
        server.server_close()
    print("%.6f %.6f" % (statistics.median(samples), max(samples)), flush=True)


mode = sys.argv[1]
if mode == "tcp":
    serve(TcpServer(("127.0.0.1", 0), TcpEcho))
elif mode == "udp":
    serve(UdpServer(("127.0.0.1", 0), UdpEcho))
elif mode == "udp1":
    serve(SingleUdpServer(("127.0.0.1", 0), UdpEcho))
elif mode == "shutdown":
    shutdown_latency(int(sys.argv[2]))
else:
    sys.exit("unknown mode " + mode)

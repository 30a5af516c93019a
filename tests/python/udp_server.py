"""The lecture's UDP server ("Socket Servidor - Servidor UDP"), in Python 3.

Slips fixed: `socket.socket` (the slide calls `socket(...)` after `import
socket`), the address is bound as a (host, port) pair, the buffer size is
defined, and each datagram is echoed back so a client has something to
check. As on the slide, an empty datagram ends the loop; a timeout bounds
it too.

Usage: python3 udp_server.py HOST PORT   (PORT 0 picks a free port)
Prints the real port on its first line.
"""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
BUF = 65535

udp_server_sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_server_sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
udp_server_sock.settimeout(10.0)
udp_server_sock.bind((HOST, PORT))
print(udp_server_sock.getsockname()[1], flush=True)

while True:
    data, addr = udp_server_sock.recvfrom(BUF)
    if not data:
        break
    print("Received message", repr(data.decode()), flush=True)
    udp_server_sock.sendto(data, addr)
udp_server_sock.close()

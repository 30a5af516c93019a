"""The lecture's TCP server ("Socket Servidor - Servidor TCP"), in Python 3.

Slips fixed: the address is 127.0.0.1 (the slide's 172.0.0.1 is a typo), the
socket sets SO_REUSEADDR as a later slide advises, and it echoes what it
receives, so a client has something to check. Every wait is bounded by a
socket timeout.

Usage: python3 tcp_server.py HOST PORT   (PORT 0 picks a free port)
Prints the real port on its first line, then serves one connection.
"""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
TIMEOUT = 10.0

tcp_server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_server_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp_server_socket.settimeout(TIMEOUT)
tcp_server_socket.bind((HOST, PORT))
tcp_server_socket.listen(1)
print(tcp_server_socket.getsockname()[1], flush=True)

conn, addr = tcp_server_socket.accept()
conn.settimeout(TIMEOUT)
print("Connected by", addr, flush=True)
while True:
    data = conn.recv(1024)
    if not data:
        break
    print("Received message", repr(data.decode()), flush=True)
    conn.sendall(data)
conn.close()
tcp_server_socket.close()

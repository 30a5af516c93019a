"""The lecture's TCP client ("Socket Cliente - Cliente TCP"), in Python 3.

Slips fixed: the address comes from the command line (the slide's 172.0.0.1
is a typo for 127.0.0.1), the message is bytes, and the wait is bounded.

Usage: python3 tcp_client.py HOST PORT [MESSAGE]
"""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
MESSAGE = sys.argv[3] if len(sys.argv) > 3 else "Hello, world"

tcp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp_client_socket.settimeout(10.0)
tcp_client_socket.connect((HOST, PORT))
tcp_client_socket.sendall(MESSAGE.encode())
data = tcp_client_socket.recv(1024)
tcp_client_socket.close()
print("Received", repr(data.decode()), flush=True)

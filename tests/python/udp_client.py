"""The lecture's UDP client ("Socket Cliente - Cliente UDP"), in Python 3.

Slips fixed: the endless `while (1)` sends a bounded number of datagrams,
the data is bytes, and each reply is awaited with a timeout and printed.

Usage: python3 udp_client.py HOST PORT [COUNT]
"""

import socket
import sys

HOST, PORT = sys.argv[1], int(sys.argv[2])
COUNT = int(sys.argv[3]) if len(sys.argv) > 3 else 3

udp_client_socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_client_socket.settimeout(10.0)
for i in range(COUNT):
    data = "TEST %d" % i
    if udp_client_socket.sendto(data.encode(), (HOST, PORT)):
        print("Sending message", flush=True)
    reply, _ = udp_client_socket.recvfrom(65535)
    print("Received", repr(reply.decode()), flush=True)
udp_client_socket.close()

"""A peer written the way the original Python clients are (python-socketio 5, requests).

    seed_peer.py URL PASSWORD UUID TRANSPORT agent|ui

Prints one JSON object per line for everything it sees. As `agent` it behaves like the seed's
neck_agent.py: every peer-message or neck_command is "written" and acknowledged with neck_ack {"command"}.
As `ui` it behaves like user_interface.py: every line on stdin is sent as broadcast-message {"message"}.
"""
import json
import sys
import threading

import requests
import socketio

url, password, uuid, transport, mode = sys.argv[1:6]


printing = threading.Lock()


def say(**event):
    # python-socketio calls handlers from several threads: keep each line whole.
    with printing:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


token = requests.post(f"{url}/login", json={"uuid": uuid, "password": password}, timeout=5).json()["token"]
sio = socketio.Client(reconnection=False)


@sio.on("existing-peers")
def existing_peers(peers):
    say(event="existing-peers", peers=peers)


@sio.on("new-peer")
def new_peer(peer):
    say(event="new-peer", peer=peer)


@sio.on("peer-disconnect")
def peer_disconnect(sid):
    say(event="peer-disconnect", sid=sid)


@sio.on("peer-message")
def peer_message(data):
    say(event="peer-message", data=data)
    if mode == "agent":
        sio.emit("neck_ack", {"command": data["message"]})


@sio.on("neck_command")
def neck_command(data):
    say(event="neck_command", data=data)
    if mode == "agent":
        sio.emit("neck_ack", {"command": data["command"]})


@sio.on("neck_ack")
def neck_ack(data):
    say(event="neck_ack", data=data)


sio.connect(url, auth={"token": token}, transports=[transport])
say(event="connected", sid=sio.get_sid(), transport=sio.transport())
for line in sys.stdin:
    line = line.strip()
    if line:
        sio.emit("broadcast-message", {"message": line})
sio.disconnect()

#!/usr/bin/env node
'use strict';
// The baseline of the relay, CPU and join benchmarks: a plain socket.io server doing the hub's routing with the
// same event names and nothing else — no login, no validation, no rate limit, no peer lists. A peer that
// connects gets an empty `existing-peers` (so clients wait for the same event on both servers);
// `broadcast-message` goes to every other peer as `peer-message`; `neck_ack` goes to the peer its `to` names.
//   node bench/bare-relay.js [port=0]   → prints `listening on http://127.0.0.1:PORT`
// Started as a child process by bench/common.js (startServer('bare')). It loads only socket.io and the
// protocol's event names, so that its RSS is what socket.io itself costs.
const { createServer } = require('node:http');
const { join } = require('node:path');
const { Server } = require('socket.io');
const stopWithLauncher = require('../bin/stop-with-launcher');

const { Events } = require(join(__dirname, '../libs/protocol/dist/events.js'));
const port = Number(process.argv[2] ?? 0);

const http = createServer();
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.emit(Events.ExistingPeers, []);
  socket.on(Events.BroadcastMessage, (payload) => {
    socket.broadcast.emit(Events.PeerMessage, { peerId: socket.id, message: payload.message, id: payload.id });
  });
  socket.on(Events.NeckAck, (payload) => {
    const { command, status, to, id } = payload;
    io.to(to).emit(Events.NeckAck, { command, status, peerId: socket.id, id });
  });
});
http.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${http.address().port}`));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => io.close(() => process.exit(0)));
stopWithLauncher((message) => console.error(`bare relay: ${message}`));

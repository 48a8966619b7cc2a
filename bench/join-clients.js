'use strict';
// The join storm's idle peers (bench/join.bench.js), in a child process of their own so that they share neither
// the server's core nor the process that times the probe joins. Driven over IPC, one request at a time:
//   {type: 'grow', url, auth, from, count, loginConcurrency, timeoutMs} → {type: 'grown', …}: logs peers
//     from…from+count-1 in (POST /login, `loginConcurrency` at a time; skipped when !auth), then connects them
//     all at once and waits for each one's `existing-peers`; reports the two phases' wall times and failures.
//   {type: 'drop'} → {type: 'dropped'}: disconnects every peer.
// Roles, as in a lab with a lecture hall watching: after each drop, the first peer grown is a `neck`, the next
// OPERATORS are `ui`, every later one an `observer`. It exits when its parent goes.
const { JoinError, connectPeer, login } = require('./common');

const sockets = new Set();
/** Idle peers the server disconnected (it should never). */
let droppedByServer = 0;

const OPERATORS = 10;
/** Peers grown since the last drop: the first is the neck, then the operators. */
let grown = 0;
const nextRole = () => {
  const position = grown++;
  return position === 0 ? 'neck' : position <= OPERATORS ? 'ui' : 'observer';
};
const uuidOf = (index) => `bench-peer-${index}`;

async function grow({ url, auth, from, count, loginConcurrency, timeoutMs }) {
  const failures = {};
  const fail = (error) => {
    const kind = error instanceof JoinError ? error.kind : `error: ${String(error)}`;
    failures[kind] = (failures[kind] ?? 0) + 1;
  };
  const peers = Array.from({ length: count }, (_, k) => ({
    index: from + k,
    role: nextRole(),
    token: undefined,
    ok: true,
  }));

  const loginStart = performance.now();
  if (auth) {
    let next = 0;
    const worker = async () => {
      while (next < peers.length) {
        const peer = peers[next++];
        try {
          peer.token = await login(url, { uuid: uuidOf(peer.index), role: peer.role, timeoutMs });
        } catch (error) {
          peer.ok = false;
          fail(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(loginConcurrency, count) }, worker));
  }
  const loginMs = performance.now() - loginStart;

  const connectStart = performance.now();
  let ok = 0;
  await Promise.all(
    peers
      .filter((peer) => peer.ok)
      .map(async (peer) => {
        try {
          const socket = await connectPeer(url, { token: peer.token, timeoutMs });
          sockets.add(socket);
          socket.once('disconnect', () => {
            sockets.delete(socket);
            droppedByServer++;
          });
          ok++;
        } catch (error) {
          fail(error);
        }
      }),
  );
  const connectMs = performance.now() - connectStart;
  return { type: 'grown', ok, failures, loginMs, connectMs, connected: sockets.size, droppedByServer };
}

function drop() {
  grown = 0;
  for (const socket of sockets) {
    socket.removeAllListeners('disconnect');
    socket.disconnect();
  }
  sockets.clear();
  return { type: 'dropped' };
}

process.on('message', (message) => {
  const answer = message.type === 'grow' ? grow(message) : Promise.resolve(drop());
  answer.then(
    (result) => process.send(result),
    (error) => process.send({ type: 'error', message: String(error) }),
  );
});
process.on('disconnect', () => {
  drop();
  process.exit(0);
});

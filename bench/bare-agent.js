#!/usr/bin/env node
'use strict';
// The agent bench's baseline (bench/agent.bench.js): a neck that does nothing but answer. It logs in to the hub
// as role `neck` and acks every `neck_command` as written, so its RSS and CPU are what node and
// socket.io-client cost at the same rate, beside the real agent's.
//   BENCH_PASSWORD=… node bench/bare-agent.js <hub url> [uuid=bench-bare-neck]   → prints `ready` once joined
const stopWithLauncher = require('../bin/stop-with-launcher');
const { connectPeer, login, protocol } = require('./common');

async function main() {
  const [url, uuid = 'bench-bare-neck'] = process.argv.slice(2);
  const { Events } = protocol();
  const socket = await connectPeer(url, { token: await login(url, { uuid, role: 'neck' }) });
  socket.on(Events.NeckCommand, ({ command, peerId, id }) => {
    socket.emit(Events.NeckAck, { command, status: 'written', to: peerId, id });
  });
  socket.on('disconnect', (reason) => {
    console.error(`bare agent: disconnected (${reason})`);
    process.exit(1);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      socket.removeAllListeners('disconnect');
      socket.disconnect();
      process.exit(0);
    });
  }
  stopWithLauncher((message) => console.error(`bare agent: ${message}`));
  console.log(`ready as ${uuid}`);
}

main().catch((error) => {
  console.error(`bare agent: ${error.message}`);
  process.exit(1);
});

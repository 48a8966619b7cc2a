'use strict';
// Preloaded into the servers of the join storm (node --expose-gc -r bench/gc-on-signal.js …): on SIGUSR2 the
// process runs a full garbage collection and prints `bench: gc done`, so that the storm reads the memory idle
// peers hold rather than the garbage their joins left, which V8 would otherwise collect only when it sees fit.
// It changes nothing else in the program.
process.on('SIGUSR2', () => {
  if (typeof global.gc !== 'function') {
    process.stderr.write('bench: gc unavailable\n');
    return;
  }
  global.gc();
  setTimeout(() => {
    global.gc();
    process.stderr.write('bench: gc done\n');
  }, 100);
});

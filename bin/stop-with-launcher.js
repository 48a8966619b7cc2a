'use strict';
// npm and npx run a program through `sh -c '…'` and forward SIGINT and SIGTERM to that shell only
// (@npmcli/run-script, lib/signal-manager.js). dash, Debian's sh, does not pass them on: on SIGTERM it dies at
// once and the program runs on, orphaned, still listening; on SIGHUP npm itself dies and the shell waits on.
// So a program npm started stops by itself once npm or its shell is gone.
const fs = require('node:fs');
const path = require('node:path');

/** How often to look whether the launcher is still there, ms. */
const CHECK_MS = 250;
const SHELLS = new Set(['sh', 'dash', 'bash', 'zsh', 'ash', 'ksh', 'mksh', 'busybox']);

/** The parent pid of `pid` (from /proc on Linux); undefined where there is no /proc or `pid` is gone. */
function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …", where comm may hold spaces and parentheses.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a shell running one command line (`sh -c '…'`), as npm runs scripts and npx runs bins. */
function isCommandShell(pid) {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return SHELLS.has(path.basename(argv[0] || '')) && argv.includes('-c');
  } catch {
    return false;
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM'];

/**
 * When npm or npx started this process (they set npm_lifecycle_event), raises SIGTERM in it — so the program's
 * own handler stops it cleanly — once what started it is gone: its parent, or, when the parent is npm's
 * `sh -c`, that shell's parent (npm) as well. A process re-parented when its parent dies sees its parent pid
 * change, so a dead launcher is noticed even while it is a zombie and whatever its pid is later used for.
 * Looks every CHECK_MS without keeping the process alive. `say` reports why it stops.
 *
 * A program that already got SIGINT or SIGTERM is left alone: Ctrl-C reaches npm's `sh -c`, which dies at once
 * (npm, and the shell prompt, follow), while the program is still stopping by itself; a SIGTERM then would
 * only cut its clean stop short, and its line would come after the prompt.
 */
module.exports = function stopWithLauncher(say, env = process.env) {
  if (!env.npm_lifecycle_event) return;
  const parent = process.ppid;
  const launcher = isCommandShell(parent) ? parentOf(parent) : undefined;
  let signalled = false;
  const noted = (signal) => {
    signalled = true;
    // Only noting: if the program no longer handles the signal, it gets its default action as without us.
    if (process.listenerCount(signal) === 1) {
      for (const name of SIGNALS) process.off(name, noted);
      process.kill(process.pid, signal);
    }
  };
  let noting = false;
  const timer = setInterval(() => {
    // Listening changes nothing once the program handles the signals itself (it must, to stop cleanly).
    if (!noting && SIGNALS.every((name) => process.listenerCount(name) > 0)) {
      for (const name of SIGNALS) process.on(name, noted);
      noting = true;
    }
    let gone;
    if (process.ppid !== parent) gone = parent;
    else if (launcher !== undefined && parentOf(parent) !== launcher) gone = launcher;
    if (gone === undefined) return;
    clearInterval(timer);
    if (signalled) return;
    say(`pid ${gone}, which started this program (npm, npx or their shell), has ended; stopping as on SIGTERM`);
    process.kill(process.pid, 'SIGTERM');
  }, CHECK_MS);
  timer.unref();
};

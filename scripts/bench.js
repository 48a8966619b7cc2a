#!/usr/bin/env node
'use strict';
// npm run bench [-- --quick] [-- --only NAME[,NAME…]] [-- --max-peers N]: runs the benchmarks in bench/ against
// the built programs (run `npm run build` first), one after the other, then prints ONE markdown table of every
// figure (hub or agent, the bare baseline, their ratio, the target and whether it is met) and writes it to
// bench/results.md, with the raw figures in bench/results.json. Progress goes to stderr. See bench/README.md.
const { execFileSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const os = require('node:os');
const { join } = require('node:path');
const { parseArgs } = require('node:util');
const stopWithLauncher = require('../bin/stop-with-launcher');
const { ROOT, failedRow, isStopping, markdownTable, missingBuild, progress } = require('../bench/common');

/** In the order they run: the quick ones first, the 10-minute agent bench last. */
const BENCHES = ['relay', 'paced', 'cpu', 'join', 'record', 'agent'];
const RESULTS_MD = join(ROOT, 'bench/results.md');
const RESULTS_JSON = join(ROOT, 'bench/results.json');

const USAGE = `usage: npm run bench [-- --quick] [-- --only NAME[,NAME…]] [-- --max-peers N]
  --quick        a short run of every bench (about 2 min), to check that they work; the figures are rough
  --only NAME    run only these benches: ${BENCHES.join(', ')} (repeatable, or comma separated)
  --max-peers N  cap the join storm at N peers
The full run (no flag) takes about 24 min, 11 of them for the agent bench and 4 for record. Run \`npm run build\` first.`;

class UsageError extends Error {}

function parseOptions(args) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        quick: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true, default: [] },
        'max-peers': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const only = values.only.flatMap((names) => names.split(',')).filter(Boolean);
  const unknown = only.filter((name) => !BENCHES.includes(name));
  if (unknown.length > 0)
    throw new UsageError(`no bench named ${unknown.join(', ')}; choose from ${BENCHES.join(', ')}`);
  let maxPeers;
  if (values['max-peers'] !== undefined) {
    maxPeers = Number(values['max-peers']);
    if (!Number.isInteger(maxPeers) || maxPeers < 100) throw new UsageError('--max-peers needs a whole number ≥ 100');
  }
  return { quick: values.quick, only, maxPeers };
}

/** What the figures were measured on, for results.md. */
function machine() {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (dirty.trim() !== '') commit += ' (with uncommitted changes)';
  } catch {
    // Not a git checkout: the commit stays unknown.
  }
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: `${cpus.length} × ${cpus[0]?.model?.trim() ?? 'unknown CPU'}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    load: os.loadavg().map((l) => l.toFixed(2)),
    commit,
  };
}

/** Formats with prettier when it is installed (a devDependency), so the files pass `prettier --check`. */
async function pretty(text, parser) {
  try {
    const prettier = require('prettier');
    const config = (await prettier.resolveConfig(RESULTS_MD)) ?? {};
    return await prettier.format(text, { ...config, parser });
  } catch {
    return text;
  }
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`bench: ${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const missing = missingBuild();
  if (missing.length > 0) {
    process.stderr.write(`bench: the programs are not built (${missing.join(', ')} missing); run: npm run build\n`);
    process.exit(2);
  }
  stopWithLauncher((message) => process.stderr.write(`bench: ${message}\n`));

  const names = options.only.length > 0 ? BENCHES.filter((name) => options.only.includes(name)) : BENCHES;
  const mode = options.quick ? 'quick' : 'full';
  const about = machine();
  progress(
    `bench: ${names.join(', ')} (${mode} run) on ${about.cpu}, node ${about.node}, load ${about.load.join(' ')}`,
  );
  const rows = [];
  const notes = [];
  const details = {};
  const started = performance.now();
  for (const name of names) {
    const bench = require(join(ROOT, 'bench', `${name}.bench.js`));
    const benchStarted = performance.now();
    progress(`${name}: starting`);
    try {
      const result = await bench.run({ quick: options.quick, maxPeers: options.maxPeers });
      rows.push(...result.rows);
      notes.push(...(result.notes ?? []));
      details[name] = result.details;
      process.stdout.write(`\n${markdownTable(result.rows)}\n\n`);
    } catch (error) {
      if (isStopping()) return;
      progress(`${name}: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      rows.push(failedRow(bench.title ?? name, error));
      details[name] = { error: String(error instanceof Error ? error.message : error) };
    }
    progress(`${name}: done in ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);
  }
  const minutes = (performance.now() - started) / 60_000;

  const table = markdownTable(rows);
  const missed = rows.filter((r) => r.met === false).length;
  const judged = rows.filter((r) => r.met !== null).length;
  const summary = `${judged - missed} of ${judged} targets met`;
  process.stdout.write(`\n## neck-signal benchmarks (${mode} run, ${minutes.toFixed(1)} min): ${summary}\n\n`);
  process.stdout.write(`${table}\n`);
  for (const note of notes) process.stdout.write(`\n- ${note}`);
  process.stdout.write('\n');

  const header = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${options.quick ? ' -- --quick' : ''}\`${options.only.length > 0 ? ` (only ${names.join(', ')})` : ''}` +
      ` on ${about.date}, commit ${about.commit}: ${about.cpu}, ${about.memoryGb} GB, ${about.os}, node ${about.node},` +
      ` load average ${about.load.join(' ')} at the start; ${minutes.toFixed(1)} min. ${summary}.` +
      (options.quick ? ' A quick run is short and rough: it checks that the benches work, nothing more.' : ''),
    '',
    'Hub (or agent) and bare are the measured figures; ratios are hub ÷ bare. See bench/README.md for how each is measured.',
    '',
  ];
  const markdown = [...header, table, '', ...notes.map((note) => `- ${note}`), ''].join('\n');
  writeFileSync(RESULTS_MD, await pretty(markdown, 'markdown'));
  const json = { mode, only: options.only, minutes, machine: about, rows, notes, details };
  const replacer = (key, value) =>
    key === 'cells' ? undefined : typeof value === 'number' && !Number.isFinite(value) ? null : value;
  writeFileSync(RESULTS_JSON, await pretty(JSON.stringify(json, replacer, 2), 'json'));
  progress(`bench: wrote ${RESULTS_MD} and ${RESULTS_JSON}`);
  process.exit(rows.some((r) => r.measure === 'could not run') ? 1 : 0);
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

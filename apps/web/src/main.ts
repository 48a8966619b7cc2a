import type { HubClient } from '@neck-signal/hub-client';
import { headPoseToMm } from '@neck-signal/protocol/firmware';
import { wireActuatorForm } from './actuator-form';
import { wireCommandConsole } from './command-console';
import { CommandLog } from './command-log';
import { CommandSender } from './command-sender';
import { ControlPanel } from './control-panel';
import { byId, showError } from './dom';
import { HeadSliders } from './head-sliders';
import { LastAck } from './last-ack';
import { LoginPanel, loginErrorMessage } from './login-panel';
import { NeckDirectory } from './neck-directory';
import { PlatformView } from './platform-view';
import { PresetsPanel } from './presets-panel';
import { RecordingsPanel } from './recordings-panel';
import { smoothed } from './smooth-switch';
import { wireQuaternionForm } from './quaternion-form';
import { SharePanel } from './share-panel';
import { TiltControl } from './tilt-control';

const loginView = byId('login-view', HTMLElement);
const controlView = byId('control-view', HTMLElement);
const connection = byId('connection', HTMLElement);
const logOutButton = byId('log-out', HTMLButtonElement);

const necks = new NeckDirectory(
  byId('peers', HTMLUListElement),
  byId('target', HTMLSelectElement),
  byId('neck-summary', HTMLElement),
  byId('peers-summary', HTMLElement),
);
const log = new CommandLog(byId('log', HTMLOListElement), (sid) => necks.nameOf(sid));
const lastAck = new LastAck(byId('last-ack', HTMLElement));
const sender = new CommandSender(log, necks, lastAck);
const send = (line: string) => sender.send(line);
const share = new SharePanel(byId('share', HTMLDetailsElement), byId('share-body', HTMLElement));

const control = new ControlPanel(
  byId('control-state', HTMLElement),
  byId('control-error', HTMLElement),
  {
    stop: byId('stop', HTMLButtonElement),
    release: byId('release', HTMLButtonElement),
    take: byId('take', HTMLButtonElement),
    yield: byId('yield', HTMLButtonElement),
  },
  send,
);
const sliders = new HeadSliders(
  byId('sliders', HTMLElement),
  byId('slider-error', HTMLElement),
  smoothed(byId('smooth', HTMLInputElement), (line, settled) => sender.send(line, settled)),
);
const recordings = new RecordingsPanel(
  {
    list: byId('recordings', HTMLUListElement),
    refresh: byId('recordings-refresh', HTMLButtonElement),
    status: byId('recordings-status', HTMLElement),
    error: byId('recordings-error', HTMLElement),
    replay: byId('replay-progress', HTMLElement),
    replayText: byId('replay-progress-text', HTMLElement),
    replayStop: byId('replay-stop', HTMLButtonElement),
  },
  () => necks.target() ?? necks.shownStatus()?.peerId,
  send,
);
const presets = new PresetsPanel(
  {
    list: byId('presets', HTMLUListElement),
    form: byId('preset-form', HTMLFormElement),
    name: byId('preset-name', HTMLInputElement),
    status: byId('presets-status', HTMLElement),
    error: byId('preset-error', HTMLElement),
    smooth: byId('smooth', HTMLInputElement),
  },
  send,
);
const platform = new PlatformView(
  byId('platform', SVGSVGElement),
  byId('actuator-values', HTMLElement),
  byId('platform-source', HTMLElement),
);
const homeError = byId('home-error', HTMLElement);
for (const [id, line] of [
  ['home', 'HOME'],
  ['home-soft', 'HOME_SOFT'],
] as const) {
  byId(id, HTMLButtonElement).addEventListener('click', () => {
    const outcome = send(line);
    showError(homeError, outcome.ok ? '' : outcome.error);
  });
}
wireActuatorForm(
  byId('actuator-form', HTMLFormElement),
  byId('actuator-fields', HTMLElement),
  byId('actuator-error', HTMLElement),
  send,
);
wireQuaternionForm(
  byId('quaternion-form', HTMLFormElement),
  byId('quaternion-fields', HTMLElement),
  byId('quaternion-error', HTMLElement),
  () => sliders.pose(),
  send,
);
wireCommandConsole(
  byId('console-form', HTMLFormElement),
  byId('console-input', HTMLInputElement),
  byId('console-error', HTMLElement),
  send,
);
const tilt = new TiltControl(
  {
    enable: byId('tilt-enable', HTMLButtonElement),
    center: byId('tilt-center', HTMLButtonElement),
    hold: byId('tilt-hold', HTMLButtonElement),
    status: byId('tilt-status', HTMLElement),
    readout: byId('tilt-readout', HTMLElement),
    error: byId('tilt-error', HTMLElement),
    settings: byId('tilt-settings', HTMLElement),
  },
  () => sliders.pose(),
  send,
);

/** The picture shows the neck's own report when there is one, else what the sliders would do. */
function redraw(): void {
  const status = necks.shownStatus();
  const name = status ? `neck ${status.uuid}` : '';
  if (status?.actuatorsMm) platform.show(status.actuatorsMm, `reported by ${name}`);
  else if (status?.pose) platform.show(headPoseToMm(status.pose), `computed from the pose of ${name}`);
  else platform.show(headPoseToMm(sliders.pose()), 'preview of the sliders (no neck has reported a pose)');
}
necks.onChange(() => {
  const status = necks.shownStatus();
  const waiting = status && (status.firmware.state === 'booting' || status.firmware.state === 'homing');
  const reason = waiting
    ? `neck ${status.uuid} is ${status.firmware.state}… your latest pose goes out when it is ready`
    : undefined;
  sliders.hold(reason);
  tilt.hold(reason);
  control.show(status, current?.uuid);
  presets.show(status);
  recordings.showReplay(status);
  if (status?.pose) sliders.follow(status.pose);
  redraw();
});
sliders.onChange(redraw);
redraw();

let current: HubClient | undefined;

function setConnection(state: 'connected' | 'reconnecting' | 'logged-out', text: string): void {
  connection.dataset.state = state;
  connection.textContent = text;
}

function wire(client: HubClient): void {
  const mine = () => client === current;
  client.on('existing-peers', () => {
    if (client.id !== undefined && client.uuid !== undefined) {
      necks.reset(client.peers(), { sid: client.id, uuid: client.uuid });
    }
  });
  client.on('new-peer', (peer) => necks.joined(peer));
  client.on('peer-disconnect', (sid) => necks.left(sid));
  client.on('neck_status', (status) => necks.status(status));
  client.on('neck_output', ({ peerId, line }) => log.output(peerId, line));
  client.onLifecycle('connected', () => {
    if (mine()) setConnection('connected', `Connected as ${client.uuid ?? '?'}`);
  });
  client.onLifecycle('disconnected', (reason) => {
    if (!mine()) return;
    tilt.release(`the connection to the hub was lost (${reason})`);
    setConnection('reconnecting', `Connection lost (${reason}); reconnecting…`);
    log.note(`connection lost (${reason}); reconnecting`);
    necks.reset([]);
  });
  client.onLifecycle('login-failed', (error) => {
    if (mine()) void logOut(`Logged out: ${loginErrorMessage(error)}`);
  });
}

const login = new LoginPanel(
  byId('login-form', HTMLFormElement),
  byId('password', HTMLInputElement),
  byId('log-in', HTMLButtonElement),
  byId('login-error', HTMLElement),
  {
    wire,
    connected(client) {
      current = client;
      sender.use(client);
      share.use(client);
      recordings.use(client);
      setConnection('connected', `Connected as ${client.uuid ?? '?'}`);
      log.note(`connected to the hub as ${client.uuid ?? '?'}`);
      loginView.hidden = true;
      controlView.hidden = false;
      logOutButton.hidden = false;
      byId('home', HTMLButtonElement).focus();
    },
  },
);

async function logOut(message = ''): Promise<void> {
  const client = current;
  current = undefined;
  sender.use(undefined);
  share.use(undefined);
  lastAck.clear();
  recordings.use(undefined);
  tilt.disable();
  necks.reset([]);
  log.clear();
  await client?.close();
  setConnection('logged-out', 'Not logged in');
  controlView.hidden = true;
  logOutButton.hidden = true;
  loginView.hidden = false;
  login.reset(message);
}

logOutButton.addEventListener('click', () => {
  login.forgetTabKey();
  void logOut();
});
setConnection('logged-out', 'Not logged in');
login.resume();

import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import {
  ConfigError,
  closeOnSignals,
  isInteractive,
  lanUrl,
  pageLoginUrl,
  ServingCertificate,
  terminalAsker,
  terminalQrCode,
} from '@neck-signal/program-kit';
import { HubPaths } from '@neck-signal/protocol';
import { loadHubSettings, startHub, TunnelService } from '@neck-signal/hub';
import { parseHubFlags } from './hub-flags';
import { describeListening } from './listening';

async function main(): Promise<void> {
  const { verbose, ...flags } = parseHubFlags(process.argv);
  const settings = await loadHubSettings(flags, {
    env: process.env,
    asker: isInteractive() ? terminalAsker : undefined,
    say: (message) => process.stdout.write(`${message}\n`),
  });
  const hub = await startHub(settings, { nestLogs: verbose === true });
  // SIGHUP too: the terminal it ran in was closed.
  closeOnSignals(() => hub.close(), { signals: ['SIGINT', 'SIGTERM', 'SIGHUP'] });
  const logger = new Logger('neck-hub');
  const listening = { host: settings.host, port: hub.port, url: hub.url, configDir: settings.configDir };
  for (const line of describeListening(listening)) logger.log(line);
  if (settings.https) {
    const pageUrl = lanUrl(`${hub.url}${HubPaths.WebPage}`, settings.host);
    describeHttps(settings.https, pageLoginUrl(pageUrl, settings.auth.sharedSecret), logger);
  }
  if (process.stdout.isTTY) hub.app.get(TunnelService).onOpen(showTunnelQrCode());
}

/**
 * At a terminal, a QR code of the page at the tunnel's public URL, each time the tunnel opens with a new URL; the
 * tunnel password its reminder page asks a phone for is said beside it (docs/tunnel.md).
 */
function showTunnelQrCode(): (url: string, password: string) => void {
  let shown: string | undefined;
  return (url, password) => {
    const pageUrl = new URL(HubPaths.WebPage, url).href;
    if (pageUrl === shown) return;
    shown = pageUrl;
    process.stdout.write(
      `\nAnywhere, scan this to open ${pageUrl}\n` +
        `A browser first meets the tunnel's reminder page: its tunnel password is ${password} ` +
        '(once per IP every 7 days). Then log in with the shared password.\n' +
        `${terminalQrCode(pageUrl)}\n\n`,
    );
  };
}

/**
 * With --https: which certificate clients trust, and at a terminal a QR code that opens the page on a phone and
 * logs it in (the password rides in the URL's fragment, so the code is printed only where a person sees it).
 */
function describeHttps(https: ServingCertificate, loginUrl: string, logger: Logger): void {
  const pageUrl = loginUrl.replace(/#.*$/, '');
  logger.log(
    `HTTPS with this hub's own certificate authority ${https.caPath} (SHA-256 ${https.caFingerprint}); ` +
      `agents and the CLI on other machines trust a copy of it: NECK_HUB_CA=FILE`,
  );
  if (!process.stdout.isTTY) {
    logger.log(`on a phone: ${pageUrl} (start neck-hub at a terminal for a QR code that also logs the phone in)`);
    return;
  }
  process.stdout.write(
    `\nOn a phone on this network, scan this to open ${pageUrl} and log in.\n` +
      'The phone warns that the certificate is not trusted (this hub made it): accept it once.\n' +
      `${terminalQrCode(loginUrl)}\n` +
      'The code holds the shared password: show it only to people who may drive the neck.\n\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`neck-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? error.exitCode : 1);
});

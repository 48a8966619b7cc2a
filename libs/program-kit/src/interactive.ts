/** True when a person can answer questions: stdin and stdout are terminals and we are not in CI. */
export function isInteractive(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && env.CI !== 'true';
}

/** Asks the first-run questions; the hub and agent use the real prompts, tests a scripted answerer. */
export interface Asker {
  /** Free text; an empty answer gives `fallback`. */
  text(message: string, fallback?: string): Promise<string>;
  /** Hidden input (shown as *); an empty answer gives ''. */
  secret(message: string): Promise<string>;
}

/** An Asker on the terminal, with @inquirer/prompts. */
export const terminalAsker: Asker = {
  async text(message, fallback) {
    const { input } = await import('@inquirer/prompts');
    return input({ message, default: fallback });
  },
  async secret(message) {
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: '*' });
  },
};

/** What a program's settings loader needs from its surroundings. */
export interface SettingsContext {
  env: NodeJS.ProcessEnv;
  /** Present when a person can answer the first-run questions. */
  asker?: Asker;
  /** Where to tell the user things (a generated password, files written). */
  say: (message: string) => void;
}

import { Asker } from '@neck-signal/program-kit';

/** Answers first-run questions from a script, in order, and records what was asked. */
export class ScriptedAsker implements Asker {
  readonly asked: string[] = [];
  constructor(private readonly answers: string[]) {}
  text(message: string, fallback?: string): Promise<string> {
    this.asked.push(message);
    const answer = this.answers.shift() ?? '';
    return Promise.resolve(answer === '' && fallback !== undefined ? fallback : answer);
  }
  secret(message: string): Promise<string> {
    this.asked.push(message);
    return Promise.resolve(this.answers.shift() ?? '');
  }
}

/**
 * The process's streams and environment as the commands see them, with the few
 * interactions they need: lines out, warnings, hidden password prompts and
 * confirmations. Prompts write to stderr so stdout stays clean for pipes.
 */
import readline from 'node:readline/promises';
import { OperationError, UsageError } from './errors.js';

export interface Terminal {
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function processTerminal(): Terminal {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

export function say(terminal: Terminal, line: string): void {
  terminal.stdout.write(`${line}\n`);
}

/** Progress and notes go to stderr, so `roster export > file` only captures data. */
export function note(terminal: Terminal, line: string): void {
  terminal.stderr.write(`${line}\n`);
}

export function warn(terminal: Terminal, line: string): void {
  terminal.stderr.write(`roster: warning: ${line}\n`);
}

export const canPrompt = (terminal: Terminal) => Boolean(terminal.stdin.isTTY);

/** Inquirer's prompts reject with this name when the user presses Ctrl+C. */
function cancelled(error: unknown): never {
  if (error instanceof Error && error.name === 'ExitPromptError') throw new OperationError('cancelled');
  throw error;
}

export async function promptHidden(terminal: Terminal, message: string): Promise<string> {
  // Loaded here, not at start-up: only the commands that ask for a password need it.
  const { default: passwordPrompt } = await import('@inquirer/password');
  return passwordPrompt({ message }, { input: terminal.stdin, output: terminal.stderr }).catch(cancelled);
}

/** Reads all of stdin; the one trailing newline a shell `echo` adds is not part of the value. */
export async function readStdin(terminal: Terminal): Promise<string> {
  let text = '';
  terminal.stdin.setEncoding('utf8');
  for await (const chunk of terminal.stdin) text += chunk;
  return text.replace(/\r?\n$/, '');
}

/** Asks a yes/no question on a terminal; anything but "y" or "yes" is a no. */
export async function confirm(terminal: Terminal, question: string): Promise<boolean> {
  if (!canPrompt(terminal)) throw new UsageError('cannot ask for confirmation without a terminal: pass --yes');
  const rl = readline.createInterface({ input: terminal.stdin, output: terminal.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

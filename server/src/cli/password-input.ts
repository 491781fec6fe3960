/**
 * Where a new password comes from: a hidden prompt on a terminal (asked twice),
 * stdin with --password-stdin, or, only when the user insists, --password with a
 * warning, since arguments end up in shell history and the process list.
 */
import { cliConfig } from './context.js';
import { UsageError } from './errors.js';
import { passwordProblem } from './records.js';
import { canPrompt, promptHidden, readStdin, type Terminal, warn } from './terminal.js';

export interface PasswordOptions {
  password?: string;
  passwordStdin?: boolean;
}

/** The list of common passwords is large: loaded only by the commands that set a password. */
async function commonPasswordCheck(): Promise<(password: string) => boolean> {
  return (await import('../security/common-passwords.js')).isCommonPassword;
}

export async function readNewPassword(terminal: Terminal, options: PasswordOptions): Promise<string> {
  if (options.password !== undefined && options.passwordStdin) {
    throw new UsageError('give the password with --password or --password-stdin, not both');
  }
  let password: string;
  if (options.password !== undefined) {
    warn(
      terminal,
      '--password leaves the password in your shell history and the process list; prefer the prompt or --password-stdin',
    );
    password = options.password;
  } else if (options.passwordStdin) {
    password = await readStdin(terminal);
  } else if (canPrompt(terminal)) {
    password = await promptHidden(terminal, 'Password:');
    const again = await promptHidden(terminal, 'Repeat the password:');
    if (again !== password) throw new UsageError('the two passwords differ');
  } else {
    throw new UsageError('no terminal to ask for the password on: pipe it in with --password-stdin');
  }
  const problem = passwordProblem(password);
  if (problem) throw new UsageError(problem);
  // The rule the API applies to a password an admin sets (an operator is an admin too).
  if (cliConfig(terminal.env).rejectCommonPasswords && (await commonPasswordCheck())(password)) {
    throw new UsageError('the password is too common (one of the most used); choose another');
  }
  return password;
}

#!/usr/bin/env node
/** The `roster` command's entry point: run the command line, then exit with its code. */
import { once } from 'node:events';
import { run } from './program.js';
import { processTerminal } from './terminal.js';

const code = await run(process.argv, processTerminal());
// Exit explicitly (an idle database pool must not keep the process alive), once stdout has been written out.
if (process.stdout.writableLength > 0) await once(process.stdout, 'drain');
process.exit(code);

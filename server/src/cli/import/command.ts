/** `roster import FILE | --from-template URL`: wires a source to the importer and reports the outcome. */
import { withContext } from '../context.js';
import { count } from '../counts.js';
import { UsageError } from '../errors.js';
import { createProgress } from '../progress.js';
import { note, say, type Terminal } from '../terminal.js';
import { fileSize, fileSource, formatOf } from './files.js';
import { type ImportReport, type ImportSource, importUsers } from './importer.js';
import { openTemplate } from './template.js';

export interface ImportCommandOptions {
  format?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  fromTemplate?: string;
}

export async function importCommand(terminal: Terminal, file: string | undefined, options: ImportCommandOptions) {
  if ((file === undefined) === (options.fromTemplate === undefined)) {
    throw new UsageError('give either a FILE to import or --from-template POSTGRES_URL');
  }
  let source: ImportSource;
  let total: number;
  let close = async () => {};
  let from: string;
  if (file !== undefined) {
    const format = formatOf(file, options.format);
    total = fileSize(file);
    source = fileSource(file, format);
    from = file;
  } else {
    if (options.format !== undefined) throw new UsageError('--format applies to files, not to --from-template');
    const template = await openTemplate(options.fromTemplate as string);
    ({ source, close } = template);
    total = template.userCount;
    from = 'the template database';
  }
  const started = performance.now();
  const progress = createProgress(terminal, { label: 'users imported', total });
  try {
    const report = await withContext(terminal, (ctx) =>
      importUsers(ctx.database, ctx.hasher, source, {
        dryRun: options.dryRun ?? false,
        skipInvalid: options.skipInvalid ?? false,
        progress,
        onInvalid: (line, problem) => note(terminal, `skipped ${source.unit} ${line}: ${problem}`),
        afterImport: (session, report) =>
          ctx.changes.imported(session, {
            command: 'import',
            source: from,
            created: report.imported,
            items: report.items,
            skipped: report.skipped,
            invalid: report.invalid,
          }),
      }),
    );
    progress.stop();
    summarize(terminal, report, from, source.unit, options.dryRun ?? false, performance.now() - started);
  } finally {
    progress.stop();
    await close();
  }
}

const MIN_USERS_FOR_RATE = 1000;

function summarize(terminal: Terminal, report: ImportReport, from: string, unit: string, dryRun: boolean, ms: number) {
  const seconds = ms / 1000;
  // A rate says something only about a bulk run ("1 user in 7.6 s (0 users/s)" says nothing).
  const bulk = report.imported >= MIN_USERS_FOR_RATE && seconds >= 1;
  const rate = bulk ? ` (${count(Math.round(report.imported / seconds), 'user')}/s)` : '';
  const items = report.items > 0 ? ` and ${count(report.items, 'item')}` : '';
  const users = count(report.imported, 'user');
  say(
    terminal,
    dryRun
      ? `Dry run: ${users}${items} from ${from} would be imported; nothing was written.`
      : `Imported ${users}${items} from ${from} in ${seconds.toFixed(1)} s${rate}.`,
  );
  if (report.skipped > 0) {
    say(terminal, `Skipped ${count(report.skipped, 'user')} whose email or id is taken:`);
    for (const s of report.skippedExamples.sort((a, b) => a.line - b.line))
      say(terminal, `  ${unit} ${s.line}: ${s.email} (${s.reason})`);
    if (report.skipped > report.skippedExamples.length)
      say(terminal, `  … and ${report.skipped - report.skippedExamples.length} more`);
  }
  if (report.invalid > 0) say(terminal, `Skipped ${count(report.invalid, `invalid ${unit}`)} (listed on stderr).`);
  if (report.withoutPassword > 0) {
    const have = report.withoutPassword === 1 ? 'has' : 'have';
    say(terminal, `${count(report.withoutPassword, 'user')} ${have} no password: they set one with "forgot password".`);
  }
}

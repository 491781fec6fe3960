/**
 * Reading import files as streams of records, one at a time, whatever their size:
 * JSON Lines (one user object per line, as `export` writes) or CSV with a header
 * row. A line that cannot be read becomes a problem with its line number, never
 * an exception, so the importer decides whether to stop or skip it.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { OperationError, UsageError } from '../errors.js';
import type { ImportSource, SourceRow } from './importer.js';

export const FORMATS = ['jsonl', 'csv'] as const;
export type FileFormat = (typeof FORMATS)[number];

const EXTENSIONS: Record<string, FileFormat> = { '.jsonl': 'jsonl', '.ndjson': 'jsonl', '.json': 'jsonl', '.csv': 'csv' };

/** The format asked for, else the one the file name says. */
export function formatOf(file: string, asked: string | undefined): FileFormat {
  if (asked !== undefined) {
    if ((FORMATS as readonly string[]).includes(asked)) return asked as FileFormat;
    throw new UsageError(`unknown format "${asked}": use jsonl or csv`);
  }
  const format = EXTENSIONS[path.extname(file).toLowerCase()];
  if (!format) throw new UsageError(`cannot tell the format of ${file} from its name: pass --format jsonl or --format csv`);
  return format;
}

/** The file's size, for the progress bar; a missing or unreadable file is reported here, before any work. */
export function fileSize(file: string): number {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new OperationError(`${file} is not a file`);
    return stat.size;
  } catch (error) {
    if (error instanceof OperationError) throw error;
    throw new OperationError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export function fileSource(file: string, format: FileFormat): ImportSource {
  const stream = fs.createReadStream(file);
  return {
    rows: format === 'jsonl' ? jsonLines(stream) : csvRows(stream),
    unit: 'line',
    fromText: format === 'csv',
    position: () => stream.bytesRead,
  };
}

async function* jsonLines(stream: fs.ReadStream): AsyncGenerator<SourceRow> {
  const lines = readline.createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      yield { line, problem: 'not valid JSON (is the line cut short?)' };
      continue;
    }
    yield { line, record };
  }
}

async function* csvRows(stream: fs.ReadStream): AsyncGenerator<SourceRow> {
  // The parser reports a bad record through `on_skip` before the records read ahead of it
  // have been consumed here; problems wait in `pending` until their line comes up.
  const pending: SourceRow[] = [];
  const parser = stream.pipe(
    parseCsv({
      columns: (header: string[]) => {
        if (!header.includes('email')) throw new MissingHeaderError();
        return header;
      },
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        pending.push({ line: lineOf(error), problem: csvProblem(error) });
        return undefined;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      while (pending[0] && pending[0].line < info.lines) yield pending.shift() as SourceRow;
      yield { line: info.lines, record };
    }
  } catch (error) {
    if (error instanceof MissingHeaderError) throw new OperationError('line 1: the CSV header has no "email" column');
    if (error instanceof CsvError) pending.push({ line: lineOf(error), problem: csvProblem(error) });
    else throw error;
  }
  yield* pending;
}

class MissingHeaderError extends Error {}

const lineOf = (error: CsvError | undefined) => Number(error?.lines ?? 0);

function csvProblem(error: CsvError | undefined): string {
  if (!error) return 'unreadable CSV record';
  const columns = /columns length is (\d+), got (\d+)/.exec(error.message);
  if (columns) return `expected ${columns[1]} columns, got ${columns[2]} (is the line cut short?)`;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted value is never closed (is the file cut short?)';
  return error.message;
}

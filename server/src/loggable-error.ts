/**
 * Errors as the logs may hold them. A failed query's parameters can be password
 * hashes, tokens or personal data, and they travel in more than one place:
 * Drizzle puts them in its error's message (so in the stack too) and in `params`,
 * PostgreSQL's `detail` quotes the failing row ("Failing row contains (…)"), and
 * its message quotes a value it could not convert.
 * What is kept is what an operator needs: the SQL text (parameters are
 * placeholders in it), PostgreSQL's message and code, and where it failed.
 */

/** PostgreSQL error fields that name things, never values. */
const DATABASE_FIELDS = ['code', 'severity', 'schema', 'table', 'column', 'dataType', 'constraint', 'routine'] as const;

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  [field: string]: unknown;
}

/** A Drizzle query failure: `query` (SQL text), `params` (the values), and the driver's error as `cause`. */
function isQueryError(error: Error): error is Error & { query: string; params: unknown } {
  return 'query' in error && 'params' in error && typeof (error as { query: unknown }).query === 'string';
}

/** An error from PostgreSQL itself (node-postgres or PGlite): a SQLSTATE code and a severity. */
function isDatabaseError(error: Error): error is Error & { code: string; severity: string } {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

/** The pino `err` serializer: any error, with a failed query's values left out at every level of `cause`. */
export function loggableError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error;
  const type = error.constructor?.name ?? error.name;
  let serialized: SerializedError;
  if (isDatabaseError(error)) {
    const code = error.code;
    // A data exception (class 22) quotes the value it could not take: `invalid input syntax for type integer: "…"`.
    const message = code.startsWith('22') ? error.message.replace(/: ".*"$/s, ': (value left out)') : error.message;
    // PGlite's errors also carry the query and its parameters: the text only.
    serialized = { type, message, stack: error.stack?.replace(error.message, message) };
    for (const field of [...DATABASE_FIELDS, 'query'] as const) {
      const value = (error as unknown as Record<string, unknown>)[field];
      if (typeof value === 'string') serialized[field] = value;
    }
  } else if (isQueryError(error)) {
    const message = `Failed query: ${error.query}`;
    serialized = { type, message, stack: error.stack?.replace(error.message, message), query: error.query };
  } else {
    serialized = { type, message: error.message, stack: error.stack };
    // Plain fields only (a code, a status): an object could carry anything.
    for (const [field, value] of Object.entries(error)) {
      if (field !== 'cause' && value !== null && typeof value !== 'object' && typeof value !== 'function') {
        serialized[field] = value;
      }
    }
  }
  if (error.cause !== undefined && depth < 5) serialized.cause = loggableError(error.cause, depth + 1);
  return serialized;
}

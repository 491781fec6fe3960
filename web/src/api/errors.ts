// Turning what the API refuses with into words for people. The contract's error body is
// {"detail": string} or, for 422, {"detail": [{loc, msg, type}, ...]}.

export type ValidationIssue = { loc: (string | number)[]; msg: string; type?: string };

export const NETWORK_ERROR_MESSAGE = 'Cannot reach the server. Check your connection and try again.';

export class ApiError extends Error {
  readonly status: number; // 0 when the request never got an answer
  readonly detail: unknown;

  constructor(status: number, detail: unknown, message = detailMessage(detail, status)) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }

  /** Field name → message, for 422 issues located in the request body. */
  get fieldErrors(): Record<string, string> {
    return fieldErrorsFromDetail(this.detail);
  }

  /**
   * The message without the 422 issues about `shownFields` (body fields a form already shows
   * at their input), or null when nothing else is left to say.
   */
  messageWithout(shownFields: readonly string[]): string | null {
    if (!Array.isArray(this.detail)) return this.message;
    const rest = this.detail.filter(
      (issue) => !(isIssue(issue) && issue.loc[0] === 'body' && shownFields.includes(issueField(issue) ?? '')),
    );
    return rest.length > 0 ? detailMessage(rest, this.status) : null;
  }
}

function isIssue(value: unknown): value is ValidationIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as ValidationIssue).loc) &&
    typeof (value as ValidationIssue).msg === 'string'
  );
}

/** The field an issue is about: the last name in loc after "body"/"query"/"path". */
function issueField(issue: ValidationIssue): string | undefined {
  const rest = issue.loc.slice(1).filter((part): part is string => typeof part === 'string');
  return rest.at(-1);
}

function humanField(field: string): string {
  const words = field.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One sentence for any `detail`: the string itself, or the 422 issues joined. */
export function detailMessage(detail: unknown, status?: number): string {
  if (typeof detail === 'string' && detail.trim() !== '') return detail;
  if (Array.isArray(detail)) {
    const parts = detail.filter(isIssue).map((issue) => {
      const field = issueField(issue);
      return field ? `${humanField(field)}: ${issue.msg}` : issue.msg;
    });
    if (parts.length > 0) return [...new Set(parts)].join('; ');
  }
  if (status === 0) return NETWORK_ERROR_MESSAGE;
  if (status !== undefined && status >= 500) return 'The server had a problem. Please try again in a moment.';
  return status ? `Request failed (HTTP ${status}).` : 'Something went wrong.';
}

export function fieldErrorsFromDetail(detail: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!Array.isArray(detail)) return errors;
  for (const issue of detail.filter(isIssue)) {
    if (issue.loc[0] !== 'body') continue;
    const field = issueField(issue);
    if (field && !(field in errors)) errors[field] = issue.msg;
  }
  return errors;
}

/** Message for anything a query or mutation may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return NETWORK_ERROR_MESSAGE; // fetch() rejects with TypeError
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

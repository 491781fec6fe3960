/** One autocannon run, reduced to the numbers the table needs. Refuses results with errors or non-2xx answers. */
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Send exactly this many requests instead of running for `seconds` (sign-ups of N users). */
  amount?: number;
  /** Replace `[<id>]` in the body with a unique id per request (a new email per sign-up). */
  idReplacement?: boolean;
  /** Seconds before a request counts as timed out (autocannon's default: 10). */
  timeoutSeconds?: number;
  /** Requests built per send (autocannon's `requests`), for bodies that depend on earlier answers. */
  requests?: autocannon.Request[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
}

export async function load(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds }),
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    idReplacement: options.idReplacement ?? false,
    ...(options.timeoutSeconds ? { timeout: options.timeoutSeconds } : {}),
    ...(options.requests ? { requests: options.requests } : {}),
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) {
    throw new Error(
      `${options.method ?? 'GET'} ${options.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  // Nothing answered within the segment: the latency is "longer than the segment", not 0.
  const answered = result.requests.total > 0;
  const seconds = options.amount ? result.duration : options.seconds;
  return {
    requestsPerSecond: result.requests.total / seconds,
    p50: answered ? result.latency.p50 : Number.POSITIVE_INFINITY,
    p99: answered ? result.latency.p99 : Number.POSITIVE_INFINITY,
    requests: result.requests.total,
  };
}

/** Adds up runs of the same target (interleaved halves of a comparison). */
export function combine(runs: LoadResult[]): LoadResult {
  const requests = runs.reduce((sum, r) => sum + r.requests, 0);
  const seconds = runs.reduce((sum, r) => sum + (r.requests > 0 ? r.requests / r.requestsPerSecond : 0), 0);
  // Percentiles cannot be merged exactly; the worse run's is the honest one to show.
  return {
    requestsPerSecond: seconds > 0 ? requests / seconds : 0,
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    requests,
  };
}

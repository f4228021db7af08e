import { currentSession } from './session.ts';
import type { CommandStatus, DecisionResult, DecisionResults, DecisionsRequest } from './types.ts';

export type { CommandStatus };

/** An RFC 9457 problem from the API, with the broken fields of a command body. */
export class Problem extends Error {
  readonly status: number;
  readonly errors: { path: string; message: string }[];
  readonly code: string | undefined;
  readonly retryAfterSeconds: number;

  constructor(status: number, detail: string, errors: { path: string; message: string }[] = [], code?: string, retryAfterSeconds = 5) {
    super(detail);
    this.status = status;
    this.errors = errors;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ value: T; location: string | null }> {
  const session = currentSession();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        ...(session ? { authorization: `Bearer ${session.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Problem(0, 'The service cannot be reached.');
  }
  const text = await response.text();
  const parsed = text === '' ? null : JSON.parse(text) as Record<string, unknown>;
  if (!response.ok) {
    const problem = parsed ?? {};
    const retryAfter = Math.min(Number(response.headers.get('retry-after')) || 5, 10);
    throw new Problem(response.status, String(problem.detail ?? response.statusText), (problem.errors as Problem['errors']) ?? [], problem.code as string | undefined, retryAfter);
  }
  return { value: parsed as T, location: response.headers.get('location') };
}

export const get = async <T>(path: string): Promise<T> => (await request<T>('GET', path)).value;

/** Commands are POSTs, but for releasing a review claim (DELETE of the claim). */
type CommandMethod = 'POST' | 'DELETE';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A 503 (the broker did not acknowledge) is retried under the same key, as the answer's Retry-After says. */
async function post(path: string, body: unknown, key: string, method: CommandMethod, attempts = 3): Promise<{ location: string | null }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request<CommandStatus>(method, path, body, { 'Idempotency-Key': key });
    } catch (error) {
      if (!(error instanceof Problem) || error.status !== 503 || attempt >= attempts) throw error;
      await pause(error.retryAfterSeconds * 1000);
    }
  }
}

/**
 * Sends a command through the gateway under one Idempotency-Key (a retry after a lost answer
 * or a 503 sends nothing new), then polls its Location until the processor recorded the outcome.
 */
export async function sendCommand(
  path: string, body: unknown, onAccepted: () => void = () => {}, timeoutMs = 30_000, method: CommandMethod = 'POST',
): Promise<CommandStatus> {
  const key = crypto.randomUUID();
  const accepted = await post(path, body, key, method);
  onAccepted();
  return outcomeAt(accepted.location ?? `/commands/${key}`, timeoutMs);
}

/** Polls a command's location until the processor recorded its outcome, or answers PENDING after `timeoutMs`. */
export async function outcomeAt(location: string, timeoutMs = 30_000): Promise<CommandStatus> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(wait * 2, 1000)) {
    const status = await get<CommandStatus>(location);
    if (status.status !== 'PENDING' || Date.now() > deadline) return status;
    await pause(wait);
  }
}

/** POST /decisions: a result per decision, in order; the same body again (same keys) sends nothing new. */
export const decide = async (body: DecisionsRequest): Promise<DecisionResult[]> => (await request<DecisionResults>('POST', '/decisions', body)).value.results;

/** Query strings without the empty filters. */
export const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  return search.size === 0 ? '' : `?${search}`;
};

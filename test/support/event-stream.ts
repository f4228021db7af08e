/** One Server-Sent Event as the stream framed it. */
export interface StreamedEvent { id: string | undefined; event: string; data: string }

export interface EventStream {
  status: number;
  /** The last id the stream set (with or without an event), as EventSource would resend it. */
  lastEventId(): string | undefined;
  /** Resolves with the events received so far once `done` holds for them; rejects when the stream ends first. */
  until(done: (events: StreamedEvent[]) => boolean, timeoutMs?: number): Promise<StreamedEvent[]>;
  close(): void;
}

/**
 * A client of GET /events that, like the console, sends its token as a header (EventSource
 * cannot), parsing the frames per the SSE format: fields up to a blank line, `id` setting the
 * last event id even on a frame without data.
 */
export async function openEventStream(url: string, token: string | null, lastEventId?: string): Promise<EventStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
  const response = await fetch(url, { headers, signal: abort.signal });
  const events: StreamedEvent[] = [];
  let last: string | undefined = lastEventId;
  const waiters = new Set<() => void>();
  let ended = false;
  const wake = () => { for (const waiter of waiters) waiter(); };
  void (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = frame.split('\n').filter((line) => line !== '' && !line.startsWith(':'))
            .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).replace(/^ /, '')] as const);
          const id = fields.find(([name]) => name === 'id')?.[1];
          if (id !== undefined) last = id;
          const data = fields.filter(([name]) => name === 'data').map(([, value]) => value);
          if (data.length > 0) events.push({ id, event: fields.find(([name]) => name === 'event')?.[1] ?? 'message', data: data.join('\n') });
        }
        wake();
      }
    } catch {
      // Aborted by close(), or cut by the server: either way the stream has ended.
    }
    ended = true;
    wake();
  })();
  return {
    status: response.status,
    lastEventId: () => last,
    until(done, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`the stream did not deliver what was awaited within ${timeoutMs} ms; got ${JSON.stringify(events)}`)), timeoutMs);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve([...events]);
        };
        const check = () => {
          if (done(events)) finish();
          else if (ended) finish(new Error(`the stream ended; got ${JSON.stringify(events)}`));
        };
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

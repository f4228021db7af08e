import { currentSession } from './session.ts';

/** An `outcome` event of GET /events: what changed, so that a page knows whether to refresh. */
export interface LiveOutcome { eventId: string; applicationId: string; applicantId: string; type: string; version: number; occurredAt: string; adminId: string | null }

/**
 * Follows GET /events until the returned function is called. EventSource cannot send the
 * Authorization header the console's token travels in (a token in the URL would land in access
 * logs), so the stream is read with fetch and framed here: the format is fields up to a blank
 * line, and the one fetch-based wrapper (@microsoft/fetch-event-source) has had no release since
 * 2021. On any end or failure it reconnects after the server's `retry` delay with the last id it
 * saw, and the server sends everything after it; `reset` means that was too far back, and the
 * page reloads what it shows.
 */
export function followOutcomes(onOutcome: (outcome: LiveOutcome) => void, onReset: () => void): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let retryMs = 2000;
  const dispatch = (frame: string) => {
    let event = 'message';
    const data: string[] = [];
    for (const line of frame.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const [name, value] = colon < 0 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).replace(/^ /, '')];
      if (name === 'id') lastId = value;
      else if (name === 'event') event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (data.length === 0) return;
    if (event === 'outcome') onOutcome(JSON.parse(data.join('\n')) as LiveOutcome);
    else if (event === 'reset') onReset();
  };
  const connect = async () => {
    while (!abort.signal.aborted) {
      try {
        const session = currentSession();
        const response = await fetch('/events', {
          headers: { ...(session ? { authorization: `Bearer ${session.token}` } : {}), ...(lastId ? { 'last-event-id': lastId } : {}) }, signal: abort.signal,
        });
        if (response.ok && response.body) {
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              dispatch(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          }
        }
      } catch {
        // Cut off, or the service is away: try again after the pause below.
      }
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  void connect();
  return () => abort.abort();
}

import { SpanStatusCode, type Span } from '@opentelemetry/api';

/** Ends `span` once `work` settles, marking it failed when it threw; gives back what `work` gave. */
export async function endingWith<T>(spans: Span[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    for (const span of spans) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    }
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

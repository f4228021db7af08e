import { connect, createServer, type Server, type Socket } from 'node:net';

const JOIN_GROUP = 11;

const writable = (socket: Socket) => !socket.destroyed && !socket.writableEnded;

/**
 * The broker's side of a cut: what was already handed on (whole frames) is flushed, then the
 * connection closes. Destroying it at once could truncate a large frame half-way through the
 * kernel's buffer, which go-mokapi would take as a request padded with zeros.
 */
function closeUpstream(upstream: Socket): void {
  if (upstream.destroyed) return;
  upstream.end();
  setTimeout(() => upstream.destroy(), 2000).unref();
}
const SYNC_GROUP = 14;

/**
 * Follows the Kafka frames of one connection (int32 size, then the request header apiKey,
 * apiVersion, correlationId; responses carry the correlationId) to know whether the client is
 * inside the group handshake: from its JoinGroup request to its SyncGroup response.
 *
 * Requests are handed on whole frames at a time. go-mokapi decodes a request that a cut
 * connection truncated as if the missing bytes were zeros and appends the records (Kafka checks
 * each batch's CRC and refuses them), so half a request must never reach it: a cut loses
 * whole requests, or their responses, as it does against Kafka.
 */
class KafkaFrames {
  private requests = Buffer.alloc(0);
  private responses = Buffer.alloc(0);
  private readonly inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
  inHandshake = false;
  /** Whether the frames last returned by request() hold a JoinGroup. */
  joining = false;

  /** Takes bytes from the client; returns the complete request frames among them. */
  request(chunk: Buffer): Buffer | null {
    this.requests = Buffer.concat([this.requests, chunk]);
    let complete = 0;
    this.joining = false;
    for (;;) {
      const rest = this.requests.subarray(complete);
      if (rest.length < 12) break;
      const size = rest.readInt32BE(0);
      if (rest.length < 4 + size) break;
      const apiKey = rest.readInt16BE(4);
      this.inFlight.set(rest.readInt32BE(8), { apiKey, apiVersion: rest.readInt16BE(6) });
      if (apiKey === JOIN_GROUP) {
        this.inHandshake = true;
        this.joining = true;
      }
      complete += 4 + size;
    }
    if (complete === 0) return null;
    const frames = this.requests.subarray(0, complete);
    this.requests = this.requests.subarray(complete);
    return frames;
  }

  response(chunk: Buffer): void {
    this.responses = Buffer.concat([this.responses, chunk]);
    for (;;) {
      if (this.responses.length < 8) return;
      const size = this.responses.readInt32BE(0);
      if (this.responses.length < 4 + size) return;
      const correlationId = this.responses.readInt32BE(4);
      const request = this.inFlight.get(correlationId);
      if (request?.apiKey === SYNC_GROUP) this.inHandshake = false;
      if (request?.apiKey === JOIN_GROUP) {
        // A refused join (error code after the throttle time from v2 on) leaves nothing pending.
        const at = request.apiVersion >= 2 ? 12 : 8;
        if (this.responses.length >= at + 2 && this.responses.readInt16BE(at) !== 0) this.inHandshake = false;
      }
      this.inFlight.delete(correlationId);
      this.responses = this.responses.subarray(4 + size);
    }
  }
}

/**
 * A TCP proxy that misbehaves on demand: it cuts every open connection, refuses new ones for a
 * while, or delays every chunk in both directions (order within a connection is kept, as TCP
 * would). Between the processor and the broker it plays a flaky network.
 */
export class ChaosProxy {
  private readonly targetPort: number;
  private server: Server | null = null;
  private readonly pairs = new Map<[Socket, Socket], KafkaFrames>();
  private refusing = false;
  /** While set, JoinGroup requests (and what follows them on their connection) wait. */
  private joinGate: Promise<void> | null = null;
  private delayMs = 0;
  readonly stats = { accepted: 0, refused: 0, cut: 0, delayedChunks: 0 };

  constructor(targetPort: number) {
    this.targetPort = targetPort;
  }

  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  private accept(client: Socket): void {
    if (this.refusing) {
      this.stats.refused += 1;
      client.destroy();
      return;
    }
    this.stats.accepted += 1;
    const upstream = connect(this.targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    const frames = new KafkaFrames();
    this.pairs.set(pair, frames);
    const close = () => {
      client.destroy();
      closeUpstream(upstream);
      this.pairs.delete(pair);
    };
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      let chain = Promise.resolve();
      from.on('data', (data: Buffer) => {
        let chunk: Buffer | null = data;
        if (from === client) chunk = frames.request(data);
        else frames.response(data);
        if (chunk === null) return;
        const bytes = chunk;
        const gate = from === client && frames.joining ? this.joinGate : null;
        if (gate) chain = chain.then(() => gate);
        const delay = this.delayMs;
        if (delay === 0) {
          chain = chain.then(() => { if (writable(to)) to.write(bytes); });
          return;
        }
        this.stats.delayedChunks += 1;
        chain = chain.then(() => new Promise<void>((resolve) => setTimeout(() => {
          if (writable(to)) to.write(bytes);
          resolve();
        }, delay)));
      });
      from.on('error', close);
      from.on('close', close);
    }
  }

  /**
   * Whether a client is between its JoinGroup request and its SyncGroup response. go-mokapi
   * never times out a group whose leader vanishes in that window (it stays CompletingRebalance
   * and answers every later join with REBALANCE_IN_PROGRESS, where Kafka would expire the
   * member after its session timeout), so cuts wait for the handshake to end.
   */
  get inGroupHandshake(): boolean {
    return [...this.pairs.values()].some((frames) => frames.inHandshake);
  }

  /** Destroys every open connection at once (both sides see a reset). */
  cutAll(): number {
    const count = this.pairs.size;
    for (const [client, upstream] of this.pairs.keys()) {
      client.destroy();
      closeUpstream(upstream);
    }
    this.pairs.clear();
    this.stats.cut += count;
    return count;
  }

  /**
   * Runs `fault` (a cut, a SIGKILL) at a moment no client is inside the group handshake: new
   * JoinGroup requests are held back meanwhile, and released afterwards. Resolves with the
   * fault's result, or null when a handshake did not end within timeoutMs (nothing done).
   */
  async outsideHandshake<T>(fault: () => T | Promise<T>, timeoutMs = 15_000): Promise<T | null> {
    let open = () => {};
    this.joinGate = new Promise<void>((resolve) => { open = resolve; });
    try {
      const deadline = Date.now() + timeoutMs;
      while (this.inGroupHandshake) {
        if (Date.now() > deadline) return null;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return await fault();
    } finally {
      this.joinGate = null;
      open();
    }
  }

  cutOutsideHandshake(timeoutMs = 15_000): Promise<number | null> {
    return this.outsideHandshake(() => this.cutAll(), timeoutMs);
  }

  /** While true, new connections are accepted and closed at once (a broker that is "down"). */
  refuse(on: boolean): void {
    this.refusing = on;
  }

  /** Latency added to every chunk from now on, both directions. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  get connections(): number {
    return this.pairs.size;
  }

  /** Back to a perfect network. */
  heal(): void {
    this.refusing = false;
    this.delayMs = 0;
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

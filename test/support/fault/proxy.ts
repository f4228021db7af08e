import { connect, createServer, type Server, type Socket } from 'node:net';

const JOIN_GROUP = 11;
const SYNC_GROUP = 14;

const writable = (socket: Socket) => !socket.destroyed && !socket.writableEnded;

/**
 * The broker's side of a cut. For go-mokapi what was already handed on (whole frames) is flushed,
 * then the connection closes: destroying it at once could truncate a large frame half-way
 * through the kernel's buffer, which go-mokapi would take as a request padded with zeros.
 * Apache Kafka reads the size first and drops a request cut short (and checks every record
 * batch's CRC besides), so there the connection is reset at once, bytes in flight lost, as a
 * real network cut would do.
 */
function closeUpstream(upstream: Socket, quirks: BrokerQuirks): void {
  if (upstream.destroyed) return;
  if (quirks === 'none') {
    upstream.destroy();
    return;
  }
  upstream.end();
  setTimeout(() => upstream.destroy(), 2000).unref();
}

/** What the proxy must step around: nothing on Apache Kafka; go-mokapi's defects on the fallback. */
export type BrokerQuirks = 'none' | 'go-mokapi';

/**
 * Follows the Kafka frames of one connection (int32 size, then the request header apiKey,
 * apiVersion, correlationId, clientId; responses carry the correlationId) to know whether its
 * client is inside the group handshake: from its JoinGroup request reaching the broker to its
 * SyncGroup response (or a JoinGroup refused with an error).
 *
 * Used only in front of go-mokapi. Requests are handed on whole frames at a time there: it
 * decodes a request that a cut connection truncated as if the missing bytes were zeros and
 * appends the records (Kafka checks each batch's CRC and refuses them), so half a request must
 * never reach it: a cut loses whole requests, or their responses.
 */
class KafkaFrames {
  private requests = Buffer.alloc(0);
  private responses = Buffer.alloc(0);
  private readonly inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
  clientId: string | null = null;
  inHandshake = false;

  /** Takes bytes from the client; returns the complete request frames among them. */
  request(chunk: Buffer): { frames: Buffer; joins: boolean } | null {
    this.requests = Buffer.concat([this.requests, chunk]);
    let complete = 0;
    let joins = false;
    for (;;) {
      const rest = this.requests.subarray(complete);
      if (rest.length < 14) break;
      const size = rest.readInt32BE(0);
      if (rest.length < 4 + size) break;
      const apiKey = rest.readInt16BE(4);
      this.inFlight.set(rest.readInt32BE(8), { apiKey, apiVersion: rest.readInt16BE(6) });
      const idLength = rest.readInt16BE(12);
      if (this.clientId === null && idLength > 0 && rest.length >= 14 + idLength) this.clientId = rest.toString('utf8', 14, 14 + idLength);
      if (apiKey === JOIN_GROUP) joins = true;
      complete += 4 + size;
    }
    if (complete === 0) return null;
    const frames = this.requests.subarray(0, complete);
    this.requests = this.requests.subarray(complete);
    return { frames, joins };
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
        // A refused join (its error code follows the throttle time from v2 on) leaves nothing pending.
        const at = request.apiVersion >= 2 ? 12 : 8;
        if (this.responses.length >= at + 2 && this.responses.readInt16BE(at) !== 0) this.inHandshake = false;
      }
      this.inFlight.delete(correlationId);
      this.responses = this.responses.subarray(4 + size);
    }
  }

  describe(): string {
    return `${this.clientId}: handshake=${this.inHandshake} awaiting=[${[...this.inFlight.values()].map((request) => `${request.apiKey}v${request.apiVersion}`).join(',')}]`;
  }
}

/**
 * A TCP proxy that misbehaves on demand: it cuts every open connection, refuses new ones for a
 * while, or delays every chunk in both directions (order within a connection is kept, as TCP
 * would). Between the processor and the broker it plays a flaky network.
 *
 * In front of Apache Kafka (`quirks: 'none'`) it forwards bytes as they come and a fault lands
 * the moment it is asked for, mid-frame and mid-handshake included: Kafka takes both. In front
 * of go-mokapi (`quirks: 'go-mokapi'`) it forwards whole request frames only and follows each
 * client's group handshake, so that a fault can be timed outside it (see outsideHandshake).
 */
export class ChaosProxy {
  private readonly targetPort: number;
  readonly quirks: BrokerQuirks;
  private server: Server | null = null;
  private readonly pairs = new Map<[Socket, Socket], KafkaFrames>();
  private refusing = false;
  private delayMs = 0;
  /** While set, JoinGroup requests of the matching clients (and what follows them) wait. */
  private joinGate: { matches: (clientId: string | null) => boolean; opened: Promise<void> } | null = null;
  /** `bytes`: what crossed the proxy either way, to see traffic go on through one proxy while another is cut. */
  readonly stats = { accepted: 0, refused: 0, cut: 0, delayedChunks: 0, bytes: 0 };

  constructor(targetPort: number, options: { quirks: BrokerQuirks }) {
    this.targetPort = targetPort;
    this.quirks = options.quirks;
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
      closeUpstream(upstream, this.quirks);
      this.pairs.delete(pair);
    };
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      let chain = Promise.resolve();
      from.on('data', (data: Buffer) => {
        let bytes = data;
        let joins = false;
        // Frames are followed only for go-mokapi; to Apache Kafka the bytes go as they come.
        if (this.quirks === 'go-mokapi' && from === client) {
          const complete = frames.request(data);
          if (complete === null) return;
          bytes = complete.frames;
          joins = complete.joins;
        } else if (this.quirks === 'go-mokapi') {
          frames.response(data);
        }
        const gate = joins && this.joinGate?.matches(frames.clientId) ? this.joinGate.opened : null;
        if (gate) chain = chain.then(() => gate);
        const delay = this.delayMs;
        if (delay > 0) {
          this.stats.delayedChunks += 1;
          chain = chain.then(() => new Promise<void>((resolve) => setTimeout(resolve, delay)));
        }
        chain = chain.then(() => {
          if (!writable(to)) return;
          // The handshake starts when the broker gets the join, not when the client sends it.
          if (joins) frames.inHandshake = true;
          this.stats.bytes += bytes.length;
          to.write(bytes);
        });
      });
      from.on('error', close);
      from.on('close', close);
    }
  }

  /** Per connection: its client, whether it is in the handshake, the requests awaiting a response. */
  describe(): string[] {
    return [...this.pairs.values()].map((frames) => frames.describe());
  }

  private inHandshake(matches: (clientId: string | null) => boolean): boolean {
    return [...this.pairs.values()].some((frames) => frames.inHandshake && matches(frames.clientId));
  }

  /**
   * Runs `fault` (a cut, a SIGKILL) at a moment when no matching client (all, or those whose
   * Kafka clientId is `clientId`) is inside the group handshake; their new JoinGroup requests
   * are held back meanwhile and released afterwards. go-mokapi never recovers a group whose
   * leader vanishes between JoinGroup and SyncGroup (it stays CompletingRebalance and answers
   * every later join with REBALANCE_IN_PROGRESS, where Kafka would expire the member after its
   * session timeout). Resolves with the fault's result, or null when a handshake did not end
   * within timeoutMs (nothing done). In front of Apache Kafka, which expires such a member
   * after its session timeout and rebalances, the fault runs at once.
   */
  async outsideHandshake<T>(fault: () => T | Promise<T>, options: { clientId?: string; timeoutMs?: number } = {}): Promise<T | null> {
    if (this.quirks === 'none') return fault();
    const matches = (clientId: string | null) => options.clientId === undefined || clientId === options.clientId;
    let open = () => {};
    this.joinGate = { matches, opened: new Promise<void>((resolve) => { open = resolve; }) };
    try {
      const deadline = Date.now() + (options.timeoutMs ?? 15_000);
      while (this.inHandshake(matches)) {
        if (Date.now() > deadline) {
          process.stdout.write(`FAULT-PROXY still in a group handshake after ${options.timeoutMs ?? 15_000} ms: ${this.describe().join(' | ')}\n`);
          return null;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return await fault();
    } finally {
      this.joinGate = null;
      open();
    }
  }

  /** A cut of every connection; on go-mokapi outside any group handshake (null: none ended in time). */
  cutOutsideHandshake(timeoutMs = 15_000): Promise<number | null> {
    return this.outsideHandshake(() => this.cutAll(), { timeoutMs });
  }

  /** Destroys every open connection at once (the clients see a reset). */
  cutAll(): number {
    const count = this.pairs.size;
    for (const [client, upstream] of this.pairs.keys()) {
      client.destroy();
      closeUpstream(upstream, this.quirks);
    }
    this.pairs.clear();
    this.stats.cut += count;
    return count;
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

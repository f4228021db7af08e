import { connect, createServer, type Server, type Socket } from 'node:net';

const PRODUCE = 0;

/** Splits a stream of Kafka frames (int32 size, then the frame) as they complete. */
class Frames {
  private pending = Buffer.alloc(0);

  take(chunk: Buffer): Buffer[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4 && this.pending.length >= 4 + this.pending.readInt32BE(0)) {
      const size = this.pending.readInt32BE(0);
      frames.push(this.pending.subarray(0, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}

/**
 * A relay to the broker that, while armed, loses the broker's answers to Produce requests: the
 * request reaches the broker and is written, then the connection is cut before the answer
 * reaches the client, as when a network fails at the worst moment.
 */
export class ProduceAnswerDropper {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  armed = true;
  dropped = 0;

  private readonly brokerPort: number;

  constructor(brokerPort: number) {
    this.brokerPort = brokerPort;
  }

  async listen(): Promise<number> {
    const server = createServer((client) => this.relay(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private relay(client: Socket): void {
    const upstream = connect(this.brokerPort, '127.0.0.1');
    const apiKeys = new Map<number, number>();
    const requests = new Frames();
    const answers = new Frames();
    const cut = () => { client.destroy(); upstream.destroy(); };
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', cut).on('close', () => { cut(); this.sockets.delete(socket); });
    }
    client.on('data', (chunk: Buffer) => {
      for (const frame of requests.take(chunk)) {
        apiKeys.set(frame.readInt32BE(8), frame.readInt16BE(4));
        upstream.write(frame);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      for (const frame of answers.take(chunk)) {
        if (this.armed && apiKeys.get(frame.readInt32BE(4)) === PRODUCE) {
          this.dropped += 1;
          cut();
          return;
        }
        client.write(frame);
      }
    });
  }
}

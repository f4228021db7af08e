import { Kafka, logLevel } from 'kafkajs';
const kafka = new Kafka({ brokers: ['127.0.0.1:19092'], logLevel: logLevel.NOTHING });
const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); await p.connect();
const mode = process.argv[2];
try {
for (let i = 0; i < 20; i++) {
  const msgs = Array.from({ length: Number(process.argv[3]) }, (_, j) => ({ key: 'k' + j, value: Buffer.alloc(300), ...(mode === 'p0' ? { partition: 0 } : {}) }));
  await p.send({ topic: 'backoffice.application-commands', messages: msgs });
  console.log('ok', i);
}} catch (e) { console.log('fail', (e as Error).message); }
await p.disconnect();

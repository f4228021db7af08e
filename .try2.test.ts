import { startSecuredStack } from './test/support/secured-stack.ts';
import { connectSerde, registryAccess } from './src/schemas/serde.ts';
import { connectDatabase } from './src/store/db.ts';
import { migrate } from './src/store/migrate.ts';
import { pino } from 'pino';
test('x', async () => {
  const stack = await startSecuredStack().catch((e) => { console.log('stack', e.stack); throw e; });
  try {
    const c = stack.config('service');
    console.log(c.DATABASE_URL);
    await migrate(c.DATABASE_URL, pino()).catch((e) => console.log('migrate', e.stack));
    const db = await connectDatabase(c.DATABASE_URL, 2);
    await db.query({ sql: 'SELECT 1', values: [] } as any).catch((e: any) => console.log('slonik', e.stack));
    await connectSerde(c.SCHEMA_REGISTRY_URL, stack.topics, registryAccess(c)).catch((e) => console.log('serde', e.stack));
  } finally { await stack.stop(); }
}, 200000);

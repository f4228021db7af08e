import { randomUUID } from 'node:crypto';
import { eventually } from './support/pipeline.ts';
import { pipelineSuite } from './support/suite.ts';
import { approve, forCommand, payloadOf, reject, submitNew } from './support/commands.ts';

const suite = pipelineSuite('admin-kim');

async function outcomeOf(commandId: string) {
  const [message] = await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, commandId));
  return payloadOf(message!);
}

async function applicationRow(id: string) {
  const { rows } = await suite.stack.db.query('SELECT status, version, decided_by FROM applications WHERE id = $1', [id]);
  return rows[0];
}

test('submit then approve: APPROVED at version 2, one audit row, the event on the topic and in the API', async () => {
  const [submitted] = await suite.pipeline.sender.send([submitNew('owner-lee')]);
  expect((await outcomeOf(submitted!.commandId)).type).toBe('ApplicationSubmitted');
  const applicationId = submitted!.applicationId;
  const [approved] = await suite.pipeline.sender.send([approve(applicationId, suite.adminToken, '확인 완료')]);

  const outcome = await outcomeOf(approved!.commandId);
  expect(outcome.type).toBe('ApplicationApproved');
  expect(outcome.body.adminId).toBe('admin-kim');
  expect(await applicationRow(applicationId)).toEqual({ status: 'APPROVED', version: 2, decided_by: 'admin-kim' });
  const audit = await suite.stack.db.query('SELECT admin_id, action, command_id FROM admin_action_log WHERE application_id = $1', [applicationId]);
  expect(audit.rows).toEqual([{ admin_id: 'admin-kim', action: 'APPROVE', command_id: approved!.commandId }]);

  const response = await suite.pipeline.http(`/applications/${applicationId}`, suite.adminToken);
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ id: applicationId, status: 'APPROVED', version: 2 });
});

test('the same command delivered twice changes state once and counts as a duplicate', async () => {
  const submit = suite.pipeline.sender.encode(submitNew('owner-park'));
  const record = { key: submit.command.applicationId, value: submit.value };
  await suite.pipeline.sender.sendRaw([record, record]);
  const follow = await suite.pipeline.sender.send([approve(submit.command.applicationId, suite.adminToken)]);
  await outcomeOf(follow[0]!.commandId);

  expect(await applicationRow(submit.command.applicationId)).toMatchObject({ status: 'APPROVED', version: 2 });
  const events = suite.pipeline.reader.messages.filter(forCommand(suite.pipeline.topics.events, submit.command.commandId));
  expect(events).toHaveLength(1);
  // Metrics are recorded once the batch's offsets are committed, which may follow the events.
  await eventually(async () => (/commands_total\{type="SubmitApplication",outcome="duplicate"\} 1\n/.test(await suite.pipeline.metricsText()) ? true : undefined));
});

test('approve of a decided application is NOT_PENDING; reject without reason is REASON_REQUIRED', async () => {
  const [submitted] = await suite.pipeline.sender.send([submitNew('owner-choi')]);
  const id = submitted!.applicationId;
  const [blankReject, firstApprove, secondApprove] = await suite.pipeline.sender.send([
    reject(id, suite.adminToken, '   '), approve(id, suite.adminToken), approve(id, suite.adminToken),
  ]);
  expect(await outcomeOf(blankReject!.commandId)).toMatchObject({ type: 'CommandRejected', body: { code: 'REASON_REQUIRED' } });
  expect((await outcomeOf(firstApprove!.commandId)).type).toBe('ApplicationApproved');
  expect(await outcomeOf(secondApprove!.commandId)).toMatchObject({ type: 'CommandRejected', body: { code: 'NOT_PENDING' } });
  expect(await applicationRow(id)).toMatchObject({ status: 'APPROVED', version: 2 });
});

test('decisions with a forged, expired or non-MASTER token are FORBIDDEN, audited as DENIED, and change nothing', async () => {
  const [submitted] = await suite.pipeline.sender.send([submitNew('owner-jung')]);
  const id = submitted!.applicationId;
  const forged = `${suite.adminToken.split('.').slice(0, 2).join('.')}.${Buffer.from('not the signature').toString('base64url')}`;
  const expired = await suite.stack.token('MASTER', 'admin-old', { issuedAt: new Date(Date.now() - 7200_000), expiresInSeconds: 60 });
  const owner = await suite.stack.token('OWNER', 'owner-jung');
  const denied = await suite.pipeline.sender.send([approve(id, forged), reject(id, expired, 'no'), approve(id, owner)]);

  for (const command of denied) {
    expect(await outcomeOf(command.commandId)).toMatchObject({ type: 'CommandRejected', body: { code: 'FORBIDDEN' } });
  }
  expect(await applicationRow(id)).toMatchObject({ status: 'PENDING', version: 1 });
  const audit = await suite.stack.db.query('SELECT action, command_id FROM admin_action_log WHERE application_id = $1 ORDER BY id', [id]);
  expect(audit.rows).toEqual(denied.map((command) => ({ action: 'DENIED', command_id: command.commandId })));
});

test('garbage bytes go to the DLQ with reason and origin; the next command on the partition is processed', async () => {
  const applicationId = randomUUID();
  await suite.pipeline.sender.sendRaw([{ key: applicationId, value: Buffer.from('definitely not avro') }]);
  const [submitted] = await suite.pipeline.sender.send([submitNew('owner-han', 'RESTAURANT', applicationId)]);

  const [dead] = await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.dlq && m.key === applicationId);
  expect(dead!.raw?.toString()).toBe('definitely not avro');
  expect(dead!.headers).toMatchObject({ 'error.code': 'BAD_MAGIC_BYTE', 'source.topic': suite.pipeline.topics.commands });
  expect(Number(dead!.headers['source.offset'])).toBeGreaterThanOrEqual(0);
  expect((await outcomeOf(submitted!.commandId)).type).toBe('ApplicationSubmitted');
  expect(await applicationRow(applicationId)).toMatchObject({ status: 'PENDING', version: 1 });
});

test('a processor stopped mid-stream resumes from committed offsets: nothing lost, nothing applied twice', async () => {
  const ids: string[] = Array.from({ length: 300 }, () => randomUUID());
  const before = Number((await suite.stack.db.query('SELECT count(*) FROM processed_commands')).rows[0].count);
  const sending = suite.pipeline.sender.send(ids.map((id, index) => submitNew(`owner-${index % 7}`, 'RESTAURANT', id)));
  await eventually(async () => (Number((await suite.stack.db.query('SELECT count(*) FROM processed_commands')).rows[0].count) > before ? true : undefined));
  await suite.pipeline.service.stop();
  await sending;
  const { startService } = await import('../src/service.ts');
  const { pino } = await import('pino');
  const logLines: string[] = [];
  suite.pipeline.service = await startService(suite.stack.config, pino({ level: 'debug' }, { write: (line: string) => { logLines.push(line); } }));

  await eventually(async () => {
    const { rows } = await suite.stack.db.query('SELECT count(*) FROM applications WHERE id = ANY($1)', [ids]);
    return Number(rows[0].count) === ids.length ? true : undefined;
  });
  const submittedEvents = await suite.pipeline.reader.waitFor((m) => m.topic === suite.pipeline.topics.events && ids.includes((m.value as { applicationId: string }).applicationId), ids.length);
  const eventIds = new Set(submittedEvents.map((m) => (m.value as { eventId: string }).eventId));
  expect(eventIds.size).toBe(ids.length);
  const { rows } = await suite.stack.db.query('SELECT version, count(*)::int AS n FROM applications WHERE id = ANY($1) GROUP BY version', [ids]);
  expect(rows).toEqual([{ version: 1, n: ids.length }]);
  const processed = await suite.stack.db.query('SELECT count(*)::int AS n FROM processed_commands WHERE application_id = ANY($1)', [ids]);
  expect(processed.rows[0].n).toBe(ids.length);
  // Every applied command is logged as JSON with where it came from.
  const [probe] = await suite.pipeline.sender.send([submitNew('owner-log')]);
  await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, probe!.commandId));
  const entry = await eventually(async () => logLines.map((line) => JSON.parse(line)).find((e) => e.msg === 'command processed' && e.commandId === probe!.commandId));
  expect(entry).toMatchObject({ applicationId: probe!.applicationId, partition: expect.any(Number), offset: expect.any(String), outcome: 'accepted', type: 'SubmitApplication' });
});

import type { CommandInput } from '../../src/client/command-sender.ts';
import type { UnverifiedCommand } from '../../src/schemas/commands.ts';
import { forCommand, payloadOf } from './commands.ts';
import { startPipeline, type Pipeline } from './pipeline.ts';
import { startTestStack, type TestStack } from './stack.ts';

export interface PipelineSuite {
  stack: TestStack;
  pipeline: Pipeline;
  /** A MASTER token for `adminId`. */
  adminToken: string;
  /** Sends one command and resolves with its outcome event on the events topic. */
  run(input: CommandInput): Promise<{ command: UnverifiedCommand; type: string; body: any }>;
}

/** A suite's stack and in-process service, started before its tests and stopped after them. */
export function pipelineSuite(adminId: string): PipelineSuite {
  const suite = {
    async run(input: CommandInput) {
      const [command] = await suite.pipeline.sender.send([input]);
      const [message] = await suite.pipeline.reader.waitFor(forCommand(suite.pipeline.topics.events, command!.commandId));
      return { command: command!, ...payloadOf(message!) };
    },
  } as PipelineSuite;
  beforeAll(async () => {
    suite.stack = await startTestStack();
    suite.pipeline = await startPipeline(suite.stack);
    suite.adminToken = await suite.stack.token('MASTER', adminId);
  });
  afterAll(async () => {
    await suite.pipeline?.stop();
    await suite.stack?.stop();
  });
  return suite;
}

import { allTopics, type Topics } from './config.ts';

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS';

/** One ALLOW rule: `principal` may do `operations` on the resource (Kafka's own vocabulary). */
export interface AclGrant {
  principal: string;
  resource: 'TOPIC' | 'GROUP';
  name: string;
  pattern: 'LITERAL' | 'PREFIXED';
  operations: AclOperation[];
}

export const outcomeTopics = (topics: Topics): string[] => allTopics(topics).filter((topic) => topic !== topics.commands);

/**
 * What each principal may do on a cluster whose authorizer denies everything else (guarantee
 * 12): the service alone writes outcomes, producers write commands only, downstream readers
 * read outcomes only. The service also writes commands, since its HTTP gateway is a producer,
 * and describes the command topic's configuration at start (it must be LogAppendTime).
 */
export function serviceAcls(principal: string, topics: Topics, groupId: string): AclGrant[] {
  return [
    { principal, resource: 'TOPIC', name: topics.commands, pattern: 'LITERAL', operations: ['READ', 'WRITE', 'DESCRIBE', 'DESCRIBE_CONFIGS'] },
    ...outcomeTopics(topics).map((name): AclGrant => ({ principal, resource: 'TOPIC', name, pattern: 'LITERAL', operations: ['WRITE', 'DESCRIBE'] })),
    { principal, resource: 'GROUP', name: groupId, pattern: 'LITERAL', operations: ['READ'] },
  ];
}

export const producerAcls = (principal: string, topics: Topics): AclGrant[] => [
  { principal, resource: 'TOPIC', name: topics.commands, pattern: 'LITERAL', operations: ['WRITE', 'DESCRIBE'] },
];

/** `groupPrefixes`: the consumer groups the reader may join (its group ids start with one of them). */
export const readerAcls = (principal: string, topics: Topics, groupPrefixes: string[]): AclGrant[] => [
  ...outcomeTopics(topics).map((name): AclGrant => ({ principal, resource: 'TOPIC', name, pattern: 'LITERAL', operations: ['READ', 'DESCRIBE'] })),
  ...groupPrefixes.map((name): AclGrant => ({ principal, resource: 'GROUP', name, pattern: 'PREFIXED', operations: ['READ'] })),
];

const OPERATION_FLAG: Record<AclOperation, string> = {
  READ: 'Read', WRITE: 'Write', DESCRIBE: 'Describe', DESCRIBE_CONFIGS: 'DescribeConfigs',
};

/** The grant as the `kafka-acls.sh` command an operator runs (docs/operations.md lists them). */
export function kafkaAclsCommand(grant: AclGrant): string {
  const resource = `--${grant.resource.toLowerCase()} ${grant.name}`;
  const pattern = grant.pattern === 'PREFIXED' ? ' --resource-pattern-type prefixed' : '';
  const operations = grant.operations.map((operation) => `--operation ${OPERATION_FLAG[operation]}`).join(' ');
  return `kafka-acls.sh --bootstrap-server $BOOTSTRAP --command-config admin.properties --add --allow-principal ${grant.principal} ${operations} ${resource}${pattern}`;
}

export interface Principals { service: string; producer: string; reader: string; readerGroupPrefix: string }

/** The principals docs/operations.md uses, and `cli acls` prints for unless told otherwise. */
export const EXAMPLE_PRINCIPALS: Principals = {
  service: 'User:backoffice', producer: 'User:listing-producer', reader: 'User:content-service', readerGroupPrefix: 'content-service-',
};

/** Every kafka-acls.sh command a secured cluster needs for the service, a producer and a reader. */
export const aclCommands = (principals: Principals, topics: Topics, groupId: string): string[] => [
  ...serviceAcls(principals.service, topics, groupId),
  ...producerAcls(principals.producer, topics),
  ...readerAcls(principals.reader, topics, [principals.readerGroupPrefix]),
].map(kafkaAclsCommand);

import { loadSchema, readAvroFiles } from './avro-files.ts';

/**
 * Emits TypeScript types for every named Avro type, matching how avsc represents values
 * (wrapUnions 'auto': ['null', T] is `T | null`; a union of several records is wrapped as
 * `{ 'namespace.Name': value }`). Hand-written because the Avro-to-TypeScript generators on
 * npm are unmaintained; it covers exactly the Avro features our schemas use.
 */

export const TOP_LEVEL = ['ApplicationCommand', 'ApplicationEvent', 'ListingEvent', 'NotificationRequested'] as const;
export type TopLevelSchema = (typeof TOP_LEVEL)[number];

type Node = string | Node[] | { type: unknown; name?: string; namespace?: string; fields?: { name: string; type: Node; doc?: string }[]; symbols?: string[]; items?: Node; values?: Node; doc?: string };

const PRIMITIVE_TS: Record<string, string> = {
  null: 'null', boolean: 'boolean', int: 'number', long: 'number', float: 'number', double: 'number', bytes: 'Buffer', string: 'string',
};

export function generateTypes(): string {
  const declarations = new Map<string, string>();
  let namespace = '';

  const typeOf = (node: Node): string => {
    if (typeof node === 'string') return PRIMITIVE_TS[node] ?? node.split('.').pop()!;
    if (Array.isArray(node)) {
      const nonNull = node.filter((branch) => branch !== 'null');
      const nullable = nonNull.length < node.length;
      if (nonNull.length === 1) return `${typeOf(nonNull[0]!)}${nullable ? ' | null' : ''}`;
      const wrapped = nonNull.map((branch) => {
        const name = typeOf(branch);
        return `{ '${namespace}.${name}': ${name} }`;
      });
      return [...wrapped, ...(nullable ? ['null'] : [])].join(' | ');
    }
    if (node.type === 'array') return `${typeOf(node.items!)}[]`;
    if (node.type === 'map') return `Record<string, ${typeOf(node.values!)}>`;
    if (node.type === 'record') {
      namespace ||= node.namespace ?? '';
      const fields = node.fields!.map((field) => `${field.doc ? `  /** ${field.doc} */\n` : ''}  ${field.name}: ${typeOf(field.type)};`);
      declarations.set(node.name!, `${node.doc ? `/** ${node.doc} */\n` : ''}export interface ${node.name} {\n${fields.join('\n')}\n}`);
      return node.name!;
    }
    if (node.type === 'enum') {
      declarations.set(node.name!, `export const ${node.name}Symbols = [${node.symbols!.map((s) => `'${s}'`).join(', ')}] as const;\nexport type ${node.name} = (typeof ${node.name}Symbols)[number];`);
      return node.name!;
    }
    if (typeof node.type === 'string' || typeof node.type === 'object') return typeOf(node.type as Node);
    throw new Error(`Unsupported Avro node ${JSON.stringify(node)}`);
  };

  for (const name of readAvroFiles().keys()) typeOf(loadSchema(name) as Node);
  const body = [...declarations.keys()].sort().map((name) => declarations.get(name)).join('\n\n');
  return `// Generated from avro/*.avsc by \`npm run generate:types\`. Do not edit: a test fails when it drifts.\n\n${body}\n`;
}

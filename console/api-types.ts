import { openApiDocument } from '../src/http/openapi.ts';

/**
 * console/src/api-types.ts: one TypeScript type per schema of /openapi.json, so the console reads
 * the API by the same schemas the service answers with. `npm run generate:types` writes it;
 * test/console-types.test.ts fails when the committed file is not what the document generates.
 * Only the JSON Schema the generated document uses is translated; anything else is an error
 * here rather than a silently loose type.
 */

type Schema = {
  $ref?: string; anyOf?: Schema[]; oneOf?: Schema[]; const?: unknown; enum?: unknown[]; type?: string | string[];
  properties?: Record<string, Schema>; required?: string[]; additionalProperties?: boolean | Schema; items?: Schema; description?: string;
};

const PRIMITIVES: Record<string, string> = { string: 'string', integer: 'number', number: 'number', boolean: 'boolean', null: 'null' };

const union = (members: string[]) => [...new Set(members)].join(' | ');
const grouped = (type: string) => (type.includes(' | ') ? `(${type})` : type);

function typeOf(schema: Schema, indent: string): string {
  if (schema.$ref !== undefined) return schema.$ref.replace('#/components/schemas/', '');
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants !== undefined) return union(variants.map((variant) => typeOf(variant, indent)));
  if ('const' in schema) return JSON.stringify(schema.const);
  if (schema.enum !== undefined) return union(schema.enum.map((value) => JSON.stringify(value)));
  if (Array.isArray(schema.type)) return union(schema.type.map((type) => typeOf({ ...schema, type }, indent)));
  if (schema.type === 'array') return `${grouped(typeOf(schema.items ?? {}, indent))}[]`;
  if (schema.type === 'object') return objectOf(schema, indent);
  if (schema.type !== undefined && PRIMITIVES[schema.type] !== undefined) return PRIMITIVES[schema.type]!;
  if (Object.keys(schema).every((key) => key === 'description')) return 'unknown';
  throw new Error(`console types: no TypeScript for the schema ${JSON.stringify(schema)}`);
}

function objectOf(schema: Schema, indent: string): string {
  const properties = Object.entries(schema.properties ?? {});
  const rest = schema.additionalProperties;
  if (properties.length === 0 && typeof rest === 'object') return `Record<string, ${typeOf(rest, indent)}>`;
  if (properties.length === 0) return 'Record<string, never>';
  const inner = `${indent}  `;
  const lines = properties.map(([name, property]) => {
    const comment = property.description === undefined ? '' : `${inner}/** ${property.description} */\n`;
    const optional = schema.required?.includes(name) ? '' : '?';
    return `${comment}${inner}${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${optional}: ${typeOf(property, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

export function generateConsoleTypes(): string {
  const { schemas } = openApiDocument().components as { schemas: Record<string, Schema> };
  const types = Object.entries(schemas).map(([name, schema]) =>
    `${schema.description === undefined ? '' : `/** ${schema.description} */\n`}export type ${name} = ${typeOf(schema, '')};\n`);
  return [
    '// Generated from /openapi.json by console/api-types.ts (`npm run generate:types`); do not edit.',
    '// test/console-types.test.ts fails when this file and the document differ.',
    '',
    types.join('\n'),
  ].join('\n');
}

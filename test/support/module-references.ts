import { dirname, isAbsolute, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One module a source file names, and how: what the runtime loads (or, for `type`, only the compiler). */
export interface ModuleReference {
  specifier: string;
  /**
   * `static`: import/export ... from, bare import, import x = require(); loaded before the file runs.
   * `type`: import type / export type / typeof import(): erased before the file runs.
   * `dynamic`: import(...) or require(...) at run time.
   */
  kind: 'static' | 'type' | 'dynamic';
  line: number;
}

const literal = (node: ts.Node | undefined): string | null =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null;

/**
 * Every module specifier of a TypeScript or JavaScript source, read by the TypeScript parser (not
 * by a pattern over the text): multi-line import lists, `export ... from`, bare imports,
 * import-equals, `import()` and `require()` alike. A computed specifier (not a string literal) is
 * reported as `<computed>`, so a caller can refuse what it cannot check.
 */
export function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const kindOfScript = /\.[cm]?tsx?$/.test(fileName) ? (fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS) : ts.ScriptKind.JS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kindOfScript);
  const found: ModuleReference[] = [];
  const add = (specifier: string | null, kind: ModuleReference['kind'], node: ts.Node) => {
    found.push({ specifier: specifier ?? '<computed>', kind, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import type {...}` is erased; `import { type A }` keeps a side-effect import under verbatimModuleSyntax.
      add(literal(node.moduleSpecifier), clause?.isTypeOnly ? 'type' : 'static', node);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(literal(node.moduleSpecifier), node.isTypeOnly ? 'type' : 'static', node);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(literal(node.moduleReference.expression), node.isTypeOnly ? 'type' : 'static', node);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      add(ts.isLiteralTypeNode(argument) ? literal(argument.literal) : null, 'type', node);
    } else if (ts.isCallExpression(node)) {
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isImport || isRequire) add(literal(node.arguments[0]), 'dynamic', node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Whether `specifier`, named in `file`, resolves into `folder` (absolute paths). Bare package names never do. */
export function resolvesInto(file: string, specifier: string, folder: string): boolean {
  if (specifier === '<computed>') return false;
  let target: string;
  if (specifier.startsWith('file://')) target = new URL(specifier).pathname;
  else if (specifier.startsWith('.') || isAbsolute(specifier)) target = resolve(dirname(file), specifier);
  else return false;
  const inside = relative(folder, target);
  return inside === '' || (!inside.startsWith('..') && !isAbsolute(inside));
}

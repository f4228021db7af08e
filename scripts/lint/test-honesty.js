/**
 * ESLint rules for checks that cannot fail (issue 22), where eslint-plugin-jest has none.
 * Each rule is syntactic, so the check reads files and nothing else.
 */

const TEST_BLOCKS = new Set(['test', 'it']);
const WAITS = new Set(['eventually', 'waitFor']);
// Callees that call their first argument at least once: fast-check runs a property numRuns (> 0)
// times, eventually runs its check before it looks at the clock, a Promise runs its executor, a
// transaction runs its body (or throws, and the awaiting test fails).
const ALWAYS_CALLED = new Set(['property', 'asyncProperty', 'eventually', 'Promise', 'transaction']);

const calleeName = (call) => {
  let callee = call.callee;
  // test.each(table)(name, fn) and test.concurrent(name, fn) are test blocks too.
  if (callee.type === 'CallExpression') callee = callee.callee;
  if (callee.type === 'MemberExpression') return callee.object.type === 'Identifier' ? callee.object.name : callee.property.name;
  return callee.type === 'Identifier' ? callee.name : undefined;
};
const propertyName = (callee) => (callee.type === 'MemberExpression' && !callee.computed ? callee.property.name : callee.type === 'Identifier' ? callee.name : undefined);
const isFunction = (node) => node.type === 'ArrowFunctionExpression' || node.type === 'FunctionExpression' || node.type === 'FunctionDeclaration';
const isTestCallback = (node) => isFunction(node) && node.parent?.type === 'CallExpression'
  && TEST_BLOCKS.has(calleeName(node.parent)) && node.parent.arguments.includes(node);
// A loop or callback over a written-out, non-empty array literal always runs its body.
const nonEmptyLiteral = (node) => node?.type === 'ArrayExpression' && node.elements.length > 0;

/** Why `child` (directly under `node`) may run zero times, or null if it always runs once `node` does. */
function whyConditional(node, child) {
  switch (node.type) {
    // With an else that asserts too, one of the two arms runs and asserts.
    case 'IfStatement': return child === node.test || (node.alternate && containsExpect(node.consequent) && containsExpect(node.alternate)) ? null : 'an if branch';
    case 'ConditionalExpression': return child === node.test ? null : 'a ?: branch';
    case 'LogicalExpression': return child === node.left ? null : `the right of ${node.operator}`;
    // With a default, some case runs; a case that asserts nothing is then the visible gap.
    case 'SwitchCase': return node.parent.cases.some((c) => c.test === null) ? null : 'a switch without default';
    case 'CatchClause': return 'a catch block';
    // Loops are not counted as branches: a loop over an empty collection is the same hazard,
    // but most loops here run over a collection whose size the test has already pinned, and
    // telling those apart needs more than syntax. A callback (forEach, map) still counts.
    default:
      if (isFunction(node) && !isTestCallback(node)) {
        const call = node.parent;
        if (call?.type === 'CallExpression' && call.callee.type === 'MemberExpression' && nonEmptyLiteral(call.callee.object)) return null;
        if ((call?.type === 'CallExpression' || call?.type === 'NewExpression') && call.arguments.includes(node) && ALWAYS_CALLED.has(propertyName(call.callee))) return null;
        return 'a callback';
      }
      return null;
  }
}

function containsExpect(node) {
  let found = false;
  const visit = (n) => {
    if (found || !n || typeof n.type !== 'string') return;
    if (n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'expect') { found = true; return; }
    for (const [key, value] of Object.entries(n)) {
      if (key === 'parent') continue;
      if (Array.isArray(value)) value.forEach(visit); else if (value && typeof value === 'object') visit(value);
    }
  };
  visit(node);
  return found;
}

const declaresAssertions = (fn, sourceCode) => /\bexpect\.(assertions|hasAssertions)\s*\(/.test(sourceCode.getText(fn));

const guardedExpect = {
  meta: {
    type: 'problem',
    docs: { description: 'An expect that may not run (in a branch, loop or callback) needs expect.assertions or expect.hasAssertions in its test' },
    messages: {
      unguarded: 'expect in {{where}} may never run: declare expect.assertions(n) or expect.hasAssertions() in this test, or assert outside the branch',
      helper: 'expect in {{where}} of a helper may never run, and no test is there to count assertions: assert outside the branch, or say why it cannot be skipped',
    },
    schema: [],
  },
  create(context) {
    return {
      CallExpression(call) {
        if (call.callee.type !== 'Identifier' || call.callee.name !== 'expect') return;
        let where = null;
        let child = call;
        for (let node = call.parent; node; child = node, node = node.parent) {
          if (isTestCallback(node)) {
            if (where && !declaresAssertions(node, context.sourceCode)) context.report({ node: call, messageId: 'unguarded', data: { where } });
            return;
          }
          // A helper defined at module level is the scope: its own body always runs when called.
          if (isFunction(node) && (node.parent.type === 'Program' || node.parent.type === 'ExportNamedDeclaration'
            || (node.parent.type === 'VariableDeclarator' && ['Program', 'ExportNamedDeclaration'].includes(node.parent.parent.parent?.type)))) {
            if (where) context.report({ node: call, messageId: 'helper', data: { where } });
            return;
          }
          where ??= whyConditional(node, child);
        }
      },
    };
  },
};

/**
 * eventually(check) and reader.waitFor(...) throw when the time runs out, so `await eventually(...)`
 * as a statement is a wait that fails. Refused: a call whose promise nobody awaits (a statement,
 * `void`, or a variable never read), and an eventually whose check returns a boolean: false is
 * not undefined, so it resolves at once and waits for nothing.
 */
const awaitedWait = {
  meta: {
    type: 'problem',
    docs: { description: 'eventually/waitFor must be awaited or used, and eventually\'s check must not return a boolean' },
    messages: {
      floating: '{{name}}(...) is not awaited: the test goes on without waiting and its timeout fails nothing',
      unread: '{{name}}(...) is stored in `{{variable}}` and never read: nothing awaits it',
      boolean: 'this check returns a boolean: eventually keeps waiting only on undefined, so false resolves at once. Return `cond ? value : undefined`',
    },
    schema: [],
  },
  create(context) {
    const returnedBoolean = (fn) => {
      const isBoolean = (e) => (e.type === 'BinaryExpression' && ['<', '<=', '>', '>=', '==', '===', '!=', '!=='].includes(e.operator))
        || (e.type === 'UnaryExpression' && e.operator === '!') || (e.type === 'Literal' && typeof e.value === 'boolean')
        || (e.type === 'LogicalExpression' && e.operator !== '??' && isBoolean(e.left) && isBoolean(e.right));
      if (fn.body.type !== 'BlockStatement') return isBoolean(fn.body) ? fn.body : null;
      const found = [];
      const visit = (node) => {
        if (!node || typeof node.type !== 'string' || (node !== fn && isFunction(node))) return;
        if (node.type === 'ReturnStatement' && node.argument && isBoolean(node.argument)) found.push(node.argument);
        for (const [key, value] of Object.entries(node)) {
          if (key === 'parent') continue;
          if (Array.isArray(value)) value.forEach(visit); else if (value && typeof value === 'object') visit(value);
        }
      };
      visit(fn.body);
      return found[0] ?? null;
    };
    return {
      CallExpression(call) {
        const name = propertyName(call.callee);
        if (!WAITS.has(name)) return;
        const check = call.arguments[0];
        if (name === 'eventually' && check && isFunction(check)) {
          const bad = returnedBoolean(check);
          if (bad) context.report({ node: bad, messageId: 'boolean' });
        }
        const parent = call.parent;
        if (parent.type === 'ExpressionStatement' || (parent.type === 'UnaryExpression' && parent.operator === 'void')) {
          context.report({ node: call, messageId: 'floating', data: { name } });
        } else if (parent.type === 'VariableDeclarator' && parent.init === call) {
          for (const variable of context.sourceCode.getDeclaredVariables(parent)) {
            if (!variable.references.some((ref) => ref.isRead())) context.report({ node: call, messageId: 'unread', data: { name, variable: variable.name } });
          }
        }
      },
    };
  },
};

/**
 * `?? 0` / `?? 1` (or `|| 0` / `|| 1`) turn "could not measure" into a figure that passes.
 * Allowed without comment: the tally, `(counts.get(k) ?? 0) + n`, where absent means nothing
 * counted yet. Everything else is fixed or carries a disable comment saying why it is safe.
 */
const noDefaultFigure = {
  meta: {
    type: 'problem',
    docs: { description: 'No ?? 0 / ?? 1 defaults in tests: a figure that could not be read must fail, not read as 0 or 1' },
    messages: { defaulted: '`{{operator}} {{value}}` makes a missing figure read as {{value}}: fail instead, or say why absent means {{value}}' },
    schema: [],
  },
  create(context) {
    const isTally = (node) => {
      const sum = node.parent;
      if (sum.type !== 'BinaryExpression' || sum.operator !== '+' || sum.left !== node) return false;
      const user = sum.parent;
      return (user.type === 'AssignmentExpression' && user.right === sum)
        || (user.type === 'CallExpression' && propertyName(user.callee) === 'set' && user.arguments[1] === sum);
    };
    return {
      LogicalExpression(node) {
        if (!['??', '||'].includes(node.operator)) return;
        const right = node.right;
        if (right.type !== 'Literal' || (right.value !== 0 && right.value !== 1)) return;
        if (node.operator === '??' && right.value === 0 && isTally(node)) return;
        context.report({ node, messageId: 'defaulted', data: { operator: node.operator, value: String(right.value) } });
      },
    };
  },
};

/** An exception to any of these rules says why in the comment that makes it: `-- reason`. */
const disableNeedsReason = {
  meta: {
    type: 'problem',
    docs: { description: 'eslint-disable comments in tests must give a reason after --' },
    messages: { bare: 'say why this check is safe to skip: `eslint-disable-next-line <rule> -- <reason>`' },
    schema: [],
  },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const text = comment.value.trim();
          if (/^eslint-disable/.test(text) && !/\s--\s+\S/.test(text)) context.report({ loc: comment.loc, messageId: 'bare' });
        }
      },
    };
  },
};

export default {
  meta: { name: 'test-honesty' },
  rules: {
    'guarded-expect': guardedExpect,
    'awaited-wait': awaitedWait,
    'no-default-figure': noDefaultFigure,
    'disable-needs-reason': disableNeedsReason,
  },
};

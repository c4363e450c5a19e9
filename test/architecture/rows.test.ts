import path from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Rows read from SQLite are typed at the store's boundary (src/store): a store module declares the row
 * type of its statements (src/store/rows.ts) and callers receive typed rows. A cast of a statement's
 * result at the place of use (`stmt.all() as X[]`, or `const r = stmt.get(); … r as X`) is a row type
 * that nobody checks against the SQL next to it, repeated wherever the table is read.
 *
 * The check runs on the program's types, not on text: only a better-sqlite3 Statement's `all`/`get`/
 * `iterate` count (a Map's `get` is no query), whether the cast is on the call or on a variable holding
 * its result. src/simulator/ is exempt: it is the test double's own in-memory tenant (Autotask's side),
 * not the product's store, and its `get` is its own column accessor.
 */
const ROOT = path.resolve(__dirname, '../..');
const EXEMPT = /^src\/(store|simulator)\//;

/**
 * Files outside the store that still prepare statements themselves (their casts are gone; their SQL has
 * not moved yet). The list may only shrink: a new file must put its SQL in a store module.
 */
const STILL_PREPARING = new Set<string>([
  // The alert engine's writes (notifications, states, channel health): the module is being reworked elsewhere.
  'src/alerts/engine.ts',
  // `check` compiles every report SQL file against the store without running it.
  'src/commands/check.ts',
  // The report session's temp tables of ticket workflows (written, never read back here).
  'src/reporting/workflows.ts',
]);

let program: ts.Program;
let checker: ts.TypeChecker;
let productFiles: ts.SourceFile[];

beforeAll(() => {
  const cfgFile = path.join(ROOT, 'tsconfig.json');
  const cfg = ts.parseJsonConfigFileContent(ts.readConfigFile(cfgFile, ts.sys.readFile).config, ts.sys, ROOT);
  program = ts.createProgram({ rootNames: cfg.fileNames, options: { ...cfg.options, noEmit: true } });
  checker = program.getTypeChecker();
  productFiles = program.getSourceFiles().filter((f) => {
    const rel = rel_(f);
    return /^(src|reports)\//.test(rel) && !EXEMPT.test(rel);
  });
}, 180_000);

const rel_ = (f: ts.SourceFile): string => path.relative(ROOT, f.fileName).split(path.sep).join('/');

/** Whether `node`'s type is better-sqlite3's `name` (Statement, Database). */
function isDriverType(node: ts.Node, name: string): boolean {
  const sym = checker.getTypeAtLocation(node).getSymbol();
  return !!sym && sym.getName() === name && (sym.getDeclarations() ?? []).some((d) => /better-sqlite3/.test(d.getSourceFile().fileName));
}

const unwrap = (e: ts.Expression): ts.Expression =>
  ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) ? unwrap(e.expression) : e;

/** Whether `e` reads rows: `<Statement>.all(…)` / `.get(…)` / `.iterate(…)`. */
function isRowRead(e: ts.Expression): boolean {
  const c = unwrap(e);
  return ts.isCallExpression(c) && ts.isPropertyAccessExpression(c.expression)
    && ['all', 'get', 'iterate'].includes(c.expression.name.text) && isDriverType(c.expression.expression, 'Statement');
}

/** Whether `e` is a row read, or a variable initialised with one. */
function holdsRows(e: ts.Expression): boolean {
  const x = unwrap(e);
  if (isRowRead(x)) return true;
  if (!ts.isIdentifier(x)) return false;
  const decl = checker.getSymbolAtLocation(x)?.valueDeclaration;
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && isRowRead(decl.initializer);
}

function walk(f: ts.SourceFile, visit: (n: ts.Node) => void): void {
  const go = (n: ts.Node): void => {
    visit(n);
    ts.forEachChild(n, go);
  };
  go(f);
}

const where = (f: ts.SourceFile, n: ts.Node): string => {
  const { line } = f.getLineAndCharacterOfPosition(n.getStart(f));
  return `${rel_(f)}:${line + 1}: ${n.getText(f).replace(/\s+/g, ' ').slice(0, 120)}`;
};

/** Casts of rows read from SQLite in the product's files outside the store. */
function rowCasts(): string[] {
  const out: string[] = [];
  for (const f of productFiles) {
    walk(f, (n) => {
      if ((ts.isAsExpression(n) || ts.isTypeAssertionExpression(n)) && holdsRows(n.expression)) out.push(where(f, n));
    });
  }
  return out;
}

/** Files outside the store that call `prepare` on the database. */
function preparingFiles(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of productFiles) {
    walk(f, (n) => {
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'prepare'
        && isDriverType(n.expression.expression, 'Database')) {
        out.set(rel_(f), [...(out.get(rel_(f)) ?? []), where(f, n)]);
      }
    });
  }
  return out;
}

describe('rows are typed at the store\'s boundary', () => {
  it('no file outside src/store casts what a statement returned', () => {
    expect(rowCasts()).toEqual([]);
  });

  it('no file outside src/store prepares statements, except the listed ones still moving (the list only shrinks)', () => {
    const preparing = preparingFiles();
    expect([...preparing.keys()].filter((f) => !STILL_PREPARING.has(f)).flatMap((f) => preparing.get(f)!)).toEqual([]);
    // A listed file that no longer prepares leaves the list, so that it cannot start again unnoticed.
    expect([...STILL_PREPARING].filter((f) => !preparing.has(f))).toEqual([]);
  });

  it('the checks see through parentheses, variables and multi-line chains, and ignore a Map\'s get', () => {
    const src = `
      import Database from 'better-sqlite3';
      const db = new Database(':memory:');
      const a = db.prepare('SELECT 1 AS n').get() as { n: number };
      const rows = db
        .prepare('SELECT 1 AS n')
        .all();
      const b = (rows as { n: number }[]).length;
      const m = new Map<string, unknown>();
      const c = m.get('k') as number;
      export { a, b, c };
    `;
    const file = path.join(ROOT, 'src/__probe__.ts');
    const host = ts.createCompilerHost(program.getCompilerOptions());
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, lang, ...rest) => (path.resolve(name) === file ? ts.createSourceFile(name, src, lang) : read(name, lang, ...rest));
    const probe = ts.createProgram({ rootNames: [file], options: program.getCompilerOptions(), host });
    const saved = { checker, productFiles };
    checker = probe.getTypeChecker();
    productFiles = [probe.getSourceFile(file)!];
    try {
      expect(rowCasts().map((l) => l.replace(/^[^:]+:/, ''))).toEqual([
        `4: db.prepare('SELECT 1 AS n').get() as { n: number }`,
        `8: rows as { n: number }[]`,
      ]);
      expect([...preparingFiles().values()].flat()).toHaveLength(2);
    } finally {
      ({ checker, productFiles } = saved);
    }
  }, 120_000);
});

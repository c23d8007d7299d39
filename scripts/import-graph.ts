// The import graph of src/: every module's imports (static and dynamic; `import type` counted separately, since
// it leaves nothing at run time), its cycles, and the imports of provider modules from outside src/providers/.
// Usage: node scripts/import-graph.ts [root]   (root defaults to the repository)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

interface Edge {
  to: string;
  kind: 'static' | 'dynamic' | 'type';
}

const graph = new Map<string, Edge[]>();
for (const file of files(src)) {
  const text = readFileSync(file, 'utf8');
  const edges: Edge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? '';
    if (!spec.startsWith('.')) continue;
    const to = relative(root, resolve(dirname(file), spec));
    edges.push({ to, kind: m[4] ? 'dynamic' : m[2] ? 'type' : 'static' });
  }
  graph.set(relative(root, file), edges);
}

function cycles(kinds: readonly Edge['kind'][]): string[][] {
  const found: string[][] = [];
  const seen = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string): void => {
    if (onStack.has(node)) {
      found.push([...stack.slice(stack.indexOf(node)), node]);
      return;
    }
    if (seen.has(node)) return;
    seen.add(node);
    stack.push(node);
    onStack.add(node);
    for (const edge of graph.get(node) ?? []) if (kinds.includes(edge.kind)) visit(edge.to);
    stack.pop();
    onStack.delete(node);
  };
  for (const node of graph.keys()) visit(node);
  return found;
}

const inProvider = (path: string) => /^src\/providers\/[^/]+\//.test(path);
const outside = [...graph].flatMap(([from, edges]) =>
  from.startsWith('src/providers/')
    ? []
    : edges.filter((e) => inProvider(e.to)).map((e) => `${from} -> ${e.to} (${e.kind})`),
);
const count = (kind: Edge['kind']) => [...graph.values()].flat().filter((e) => e.kind === kind).length;

console.log(
  `modules: ${graph.size}; imports: ${count('static')} static, ${count('dynamic')} dynamic, ${count('type')} type-only`,
);
for (const [label, kinds] of [
  ['cycles through run-time imports (static and dynamic)', ['static', 'dynamic']],
  ['cycles counting type-only imports too', ['static', 'dynamic', 'type']],
] as const) {
  const list = cycles(kinds);
  console.log(`${label}: ${list.length}`);
  for (const cycle of list) console.log(`  ${cycle.join(' -> ')}`);
}
console.log(`imports of provider modules from outside src/providers/: ${outside.length}`);
for (const line of outside) console.log(`  ${line}`);

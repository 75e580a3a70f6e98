/**
 * Renders a plan like a terraform plan: one block per object in deploy order, a symbol per change
 * kind, the SQL, the notes, and a summary line. `markdown` wraps it for a pull-request comment.
 */
import type { PlannedChange } from './live';

const SYMBOL: Record<string, string> = {
  create: '+',
  adopt: '~',
  alter: '~',
  replace: '-/+',
  'replace-by-procedure': '-/+',
  'no-op': ' ',
  blocked: '!',
};

const LABEL: Record<string, string> = {
  replace: 'REPLACE',
  'replace-by-procedure': 'REPLACE BY PROCEDURE',
  blocked: 'BLOCKED',
};

export interface PlanSummary {
  readonly create: number;
  readonly alter: number;
  readonly replace: number;
  readonly unchanged: number;
  readonly blocked: number;
}

export function summarize(plan: readonly PlannedChange[]): PlanSummary {
  const count = (...kinds: string[]) => plan.filter((p) => kinds.includes(p.change)).length;
  return {
    create: count('create'),
    alter: count('alter', 'adopt'),
    replace: count('replace', 'replace-by-procedure'),
    unchanged: count('no-op'),
    blocked: count('blocked'),
  };
}

export function summaryLine(s: PlanSummary): string {
  return (
    `Plan: ${s.create} to create, ${s.alter} to alter, ${s.replace} replaced, ${s.unchanged} unchanged` +
    (s.blocked ? `, ${s.blocked} BLOCKED (the deploy would fail)` : '') +
    '.'
  );
}

function header(p: PlannedChange): string {
  const label = LABEL[p.change] ?? p.change;
  return `${(SYMBOL[p.change] ?? '?').padEnd(3)} ${p.kind} ${p.object} (${label})`;
}

export interface RenderOptions {
  readonly title: string;
  /** Leave out unchanged objects (live plans). @default false */
  readonly hideUnchanged?: boolean;
}

/** Plain text: `-- ` headers so the output is also runnable SQL. */
export function renderText(plan: readonly PlannedChange[], options: RenderOptions): string {
  const blocks = plan
    .filter((p) => !(options.hideUnchanged && p.change === 'no-op'))
    .map((p) =>
      [
        `-- ${header(p)}`,
        ...p.notes.map((n) => `--     note: ${n.replace(/\n/g, '\n--     ')}`),
        ...p.statements.map((s) => `${s};`),
      ].join('\n'),
    );
  return [`-- ${options.title}`, '', ...blocks.flatMap((b) => [b, '']), `-- ${summaryLine(summarize(plan))}`, ''].join(
    '\n',
  );
}

/** Markdown for a PR comment: summary first, one collapsible section per changed object. */
export function renderMarkdown(plan: readonly PlannedChange[], options: RenderOptions): string {
  const shown = plan.filter((p) => !(options.hideUnchanged && p.change === 'no-op'));
  const lines = [`### ${options.title}`, '', `**${summaryLine(summarize(plan))}**`, ''];
  const blocked = plan.filter((p) => p.change === 'blocked');
  if (blocked.length) {
    lines.push('> [!WARNING]', '> Changes the provisioner refuses (the deploy would fail):');
    for (const b of blocked) lines.push(`> - \`${b.object}\`: ${b.notes.join(' ').replace(/\n/g, ' ')}`);
    lines.push('');
  }
  for (const p of shown) {
    lines.push(`<details><summary><code>${header(p).replace(/</g, '&lt;')}</code></summary>`, '');
    for (const n of p.notes) lines.push(`- ${n.replace(/\n/g, ' ')}`);
    if (p.notes.length) lines.push('');
    if (p.statements.length) lines.push('```sql', ...p.statements.map((s) => `${s};`), '```', '');
    lines.push('</details>', '');
  }
  return lines.join('\n');
}

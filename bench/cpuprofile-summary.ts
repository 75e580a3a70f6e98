/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench:parser -- --cpu-prof <dir>` or `node --cpu-prof`):
 * self time by function (name, file:line), largest first, as a share of the sampled time.
 *
 *   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 30]
 */
import { readFileSync } from 'fs';
import { basename } from 'path';
import { parseArgs } from 'util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Self microseconds per function (`name file:line`), from the samples and their time deltas. */
export function selfTimes(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (let s = 0; s < profile.samples.length; s++) {
    const node = byId.get(profile.samples[s]);
    if (node === undefined) continue;
    const f = node.callFrame;
    const where = f.url === '' ? '' : ` ${basename(f.url)}:${f.lineNumber + 1}`;
    const name = `${f.functionName || '(anonymous)'}${where}`;
    const delta = profile.timeDeltas[s + 1] ?? 0;
    out.set(name, (out.get(name) ?? 0) + delta);
  }
  return out;
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true });
  if (positionals.length === 0) {
    console.log('Usage: npx tsx bench/cpuprofile-summary.ts <file.cpuprofile>... [--top n]');
    return;
  }
  const top = Number(values.top ?? 30);
  for (const path of positionals) {
    const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
    const times = [...selfTimes(profile).entries()].sort((a, b) => b[1] - a[1]);
    const total = times.reduce((n, [, t]) => n + t, 0);
    const busy = times.filter(([name]) => !name.startsWith('(idle)')).reduce((n, [, t]) => n + t, 0);
    console.log(`${path}: ${(total / 1e3).toFixed(0)} ms sampled, ${(busy / 1e3).toFixed(0)} ms not idle`);
    for (const [name, t] of times.slice(0, top)) {
      console.log(`${(t / 1e3).toFixed(0).padStart(7)} ms ${((100 * t) / busy).toFixed(1).padStart(5)} %  ${name}`);
    }
  }
}

main();

/**
 * Dependency ordering shared by gold views and task graphs: a stable topological sort (ties keep
 * the input order) that names the cycle when there is one.
 */
import { DependencyCycleError } from './errors';

/**
 * Orders `nodes` so every node comes after the nodes it depends on.
 * @param dependsOn node → the nodes it depends on (every one must be a key of the map)
 * @param what plural noun for the error message, e.g. `gold views`
 */
export function topologicalOrder(dependsOn: ReadonlyMap<string, readonly string[]>, what: string): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (node: string, path: string[]) => {
    const s = state.get(node);
    if (s === 'done') return;
    if (s === 'visiting') throw new DependencyCycleError(what, [...path.slice(path.indexOf(node)), node]);
    state.set(node, 'visiting');
    for (const dep of dependsOn.get(node) ?? []) visit(dep, [...path, node]);
    state.set(node, 'done');
    order.push(node);
  };
  for (const node of dependsOn.keys()) visit(node, []);
  return order;
}

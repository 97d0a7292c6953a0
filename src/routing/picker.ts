/**
 * The order a request tries an alias's deployments in: the strategy picks the first, the rest follow
 * in file order. Round-robin cursors live in the Picker, so with several replicas each rotates on its
 * own (as in the Go gateway): even over time, not coordinated per request.
 */
import type { Deployment, Route } from './config.ts';

/** Picks per request; one per app. */
export class Picker {
  private readonly cursors = new Map<string, number>();

  constructor(private readonly random: () => number = Math.random) {}

  /** The deployments in the order this request tries them. */
  order(route: Route): Deployment[] {
    const list = route.deployments;
    if (list.length < 2 || route.strategy === 'fallback') return list;
    const first = route.strategy === 'weighted' ? this.weighted(list) : this.roundRobin(route.alias, list.length);
    if (first === 0) return list;
    const picked = list[first];
    if (!picked) return list;
    return [picked, ...list.slice(0, first), ...list.slice(first + 1)];
  }

  private roundRobin(alias: string, n: number): number {
    const i = this.cursors.get(alias) ?? 0;
    // Kept small so that a long-lived replica never overflows the counter.
    this.cursors.set(alias, (i + 1) % n);
    return i % n;
  }

  private weighted(list: readonly Deployment[]): number {
    const total = list.reduce((sum, d) => sum + d.weight, 0);
    let r = this.random() * total;
    for (let i = 0; i < list.length; i++) {
      r -= list[i]?.weight ?? 0;
      if (r < 0) return i;
    }
    return list.length - 1;
  }
}

// One result source over several: the gates read a plan's VPCs whichever way each is probed
// (over the network from here, or from inside through SSM).
import type { PairHealth, PairResult } from './health.js';
import type { ResultSource } from './monitor.js';

export function mergeSources(sources: (ResultSource & { health(pair: { vpcId: string; name: string }): PairHealth | undefined })[]): ResultSource & {
  health(pair: { vpcId: string; name: string }): PairHealth | undefined;
} {
  return {
    subscribe(listener: (r: PairResult) => void) {
      const offs = sources.map((s) => s.subscribe(listener));
      return () => offs.forEach((off) => off());
    },
    health(pair) {
      for (const s of sources) {
        const h = s.health(pair);
        if (h) return h;
      }
      return undefined;
    },
  };
}

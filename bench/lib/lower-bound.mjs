// The critical-path lower bound of a migration, from its dry run (planRun), in AWS seconds
// (delays at scale 1, AWS's documented rates). Formula, per step s:
//
//   LB(s) = max( rateTerm(s), delayTerm(s) ) + gateTerm(s)
//   rateTerm(s)  = max over rate buckets b (per account) of max(0, n_b(s) − burst_b) / rate_b
//                  n_b = the step's planned calls that draw from b (bucketsFor, the same table
//                  r53migrate's budget uses, at a share of 1: AWS's own rate); a bucket
//                  starts the step full, so only calls beyond its burst wait for refill.
//   delayTerm(s) = Σ over the step's batches (they run one after another) of the longest
//                  propagation delay of any call in the batch (calls of a batch propagate in
//                  parallel): the timing model's expected delays (src/steps/timing.ts, which
//                  `plan`'s estimates and the window guard use; the twin's are the same) — Route 53
//                  change INSYNC, Profile association CREATING→COMPLETE, resource
//                  (dis)association, endpoint modify.
//   gateTerm(s)  = gates(s) × okStreak × probes.intervalMs: the shortest DNS gate (okStreak good
//                  rounds in a row); one gate per step, except step 6, one per batch (wave).
//   LB = Σ_s LB(s).
// Only the plan's own mutating calls count: reads (observation, GetChange/List polls) are left
// out, so this is a bound no executor can beat, not an estimate.
import { bucketsFor, rateScale } from '../../dist/aws/budget.js';
import { delayOf } from '../../dist/steps/timing.js';

const SERVICE_OF = { route53: 'route53', ec2: 'ec2', route53profiles: 'route53profiles' };

/**
 * @param run   planRun(world, plan) result (ok)
 * @param probe { intervalMs, okStreak } at AWS scale (the plan's defaults: 1000 ms, 3)
 * @returns { totalS, steps: [{ step, calls, rateS, delayS, gateS, lbS, slowestBucket }] }
 */
export function lowerBound(run, probe) {
  const steps = [];
  // At a share of 1 bucketsFor gives AWS's rates (× R53M_RATE_SCALE if set: undone).
  const scale = rateScale();
  for (const s of run.steps) {
    if (!s.batches.length) continue;
    const perBucket = new Map();
    let delayMs = 0;
    let calls = 0;
    for (const batch of s.batches) {
      let batchDelay = 0;
      for (const pa of batch) {
        if (!pa.call) continue;
        calls++;
        const mutating = true; // every planned call changes something
        for (const [key, rate] of bucketsFor(SERVICE_OF[pa.call.service], pa.call.operation, mutating, 1)) {
          const k = `${pa.action.account}|${key}`;
          const b = perBucket.get(k) ?? { n: 0, burst: rate.burst, perSecond: rate.perSecond / scale };
          b.n++;
          perBucket.set(k, b);
        }
        batchDelay = Math.max(batchDelay, delayOf(pa.call.operation));
      }
      delayMs += batchDelay;
    }
    let rateS = 0;
    let slowestBucket = '';
    for (const [k, b] of perBucket) {
      const t = Math.max(0, b.n - b.burst) / b.perSecond;
      if (t > rateS) [rateS, slowestBucket] = [t, k];
    }
    const gates = s.number === 6 ? s.batches.length : 1;
    const gateS = (gates * probe.okStreak * probe.intervalMs) / 1000;
    const delayS = delayMs / 1000;
    steps.push({ step: s.number, calls, batches: s.batches.length, rateS, delayS, gateS, lbS: Math.max(rateS, delayS) + gateS, slowestBucket });
  }
  return { totalS: steps.reduce((t, s) => t + s.lbS, 0), steps };
}

// How this process reaches a state kept in S3: the plan's `state` entry (its account's
// credentials, its region), or the AWS credential chain when no plan says (status/report on a
// machine that has only the s3:// location). The client is made on first use.
import type { Plan } from '../plan/schema.js';
import { S3ObjectStore, s3ClientFor } from '../aws/s3-object-store.js';
import { statePathFor, useObjectStores } from '../state/index.js';
import type { S3Client } from '@aws-sdk/client-s3';

export function configureStateBackend(plan?: Pick<Plan, 'region' | 'accounts' | 'state'>): void {
  const region = plan?.state?.region ?? plan?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const account = plan?.state?.account ? plan.accounts[plan.state.account] : undefined;
  let client: S3Client | undefined;
  useObjectStores((bucket) => new S3ObjectStore((client ??= s3ClientFor({ region, ...(account ? { account } : {}) })), bucket));
}

/** The plan's state location: its `state.location` in S3, or `.r53migrate/<name>.state.json`. */
export function defaultStatePath(plan: Pick<Plan, 'name' | 'state'>, dir?: string): string {
  return plan.state?.location ?? statePathFor(plan.name, dir);
}

// `r53migrate iam-policy PLAN`: per plan account, the least-privilege IAM policy a run of the plan
// needs (aws/iam-policy.ts), ready to paste. Pure by default (the plan alone); --discover reads
// (GetCallerIdentity, and who owns each zone and endpoint) so the ARNs and owners are exact.
import { Command, InvalidArgumentError } from 'commander';
import { planNeeds, planPolicies, policySize, SIMULATOR_SID, type Path, type PolicyOptions } from '../aws/iam-policy.js';
import { accessFor, defaultStatePath, loadPlanForCli, useReplacedZones } from './common.js';
import { EXIT } from './errors.js';
import type { CliIo } from './io.js';
import { findOwners } from '../aws/owners.js';

/** IAM's limits on a policy's size, without whitespace: a managed policy, a role's inline policies. */
const MANAGED_POLICY_MAX = 6144;
const INLINE_ROLE_POLICY_MAX = 10240;

const HELP = `
Prints, for each account of the plan, the IAM policy the identity r53migrate uses for that
account (the plan's profile, or its assumeRole role) needs to run the plan, and nothing more:
  the Profile's account     read the Profile; add and remove the plan's zones and endpoints
                            (route53profiles:ResourceTypes / ResourceArns); tag it with the run's mark
  the zones' account        read its zones; authorize other accounts' VPCs; associate and
                            disassociate the plan's VPCs (route53:VPCs); empty and delete the zones
  each VPC's account        associate its own VPCs with the Profile (path A, route53profiles:ResourceIds)
                            and with another account's zones (path B); send SSM probes to its
                            instances when the plan probes through SSM
  the endpoints' account    turn Private DNS on (and, rolling back, off) on the plan's endpoints
  every account             describe VPCs (ec2:Describe* take no resource ARNs)
With profile.create or profile.share (prepare, before step 1):
  the Profile's account     find the Profile by name (ListProfiles), create it (CreateProfile with its
                            tag); create the RAM share and add the Profile and the accounts to it
                            (its shares: resource-share/*); --rollback: delete them again
  each other VPC's account  read and accept its invitation (invitations the Profile's account sent)
  organizations             DescribeOrganization, when sharing with the organization or its units,
                            or the share is (or may be) closed to accounts outside it
A Profile not created yet has no id: its statements name any Profile of its account (profile/*).
Each statement's Sid says what it is for; resources are the plan's zones, endpoints and Profile
wherever AWS lets a policy name them, and conditions narrow the rest to the plan's VPCs.

It creates no role and attaches nothing: give each policy to that account's identity yourself
(an inline policy of the role, or a managed policy attached to it).
--rollback adds what \`rollback\` and \`restore-zone\` need. A zone step 7 deleted comes back with a
new id nobody knows yet, so those statements name any zone (hostedzone/*) of the zones' account:
associations still only with the plan's VPCs, records CREATE only; its tags can't be narrowed
(Route 53 has no tag condition keys).
The plan does not say who owns the zones and endpoints: without --discover the zones are taken
to be the Profile's account's and the endpoints the shared-services VPC's (the output says so).
Without --path, the statements of both starting paths are included.

plan, apply, resume and rollback check these permissions first with IAM's policy simulator
(iam:SimulatePrincipalPolicy on the caller itself, statement ${SIMULATOR_SID}) and stop, changing
nothing, when one is missing (exit 2). An identity without that statement is not checked: the
run says so and goes on, and a missing permission stops it where it is first needed (exit 1).

--json prints {"accounts": {"<plan account>": {"accountId": "<12 digits>" | null, "policy": {...}}}},
the file \`r53migrate sandbox up --iam-policies FILE\` takes.
Exit codes: 0 printed, 2 bad input (the plan file), 1 AWS could not be read (--discover).`;

const pathOption = (v: string): Path => {
  const p = v.trim().toUpperCase();
  if (p !== 'A' && p !== 'B') throw new InvalidArgumentError(`--path takes A (zones associated with the VPCs directly) or B (zones on the Profile), not "${v}"`);
  return p;
};

interface Options {
  json?: boolean;
  rollback?: boolean;
  path?: Path;
  discover?: boolean;
  state?: string;
}

export function iamPolicyCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('iam-policy')
    .description('Print the least-privilege IAM policy each account of the plan needs for a run (creates and attaches nothing).')
    .argument('<plan>', 'plan file (YAML or JSON)')
    .option('--json', 'print {"accounts": {name: {accountId, policy}}} (what sandbox up --iam-policies takes)')
    .option('--rollback', 'also what rollback and restore-zone need')
    .option('--path <A|B>', 'only the statements of this starting path (A: zones on the VPCs directly; B: zones on the Profile)', pathOption)
    .option('--discover', 'read (GetCallerIdentity, GetHostedZone, DescribeVpcEndpoints) the account ids and who owns each zone and endpoint, instead of assuming')
    .option('--state <location>', "state file whose rollback-re-created zones replace the plan's ids (a file or s3:// location; default: the plan's state.location, else .r53migrate/<plan name>.state.json)")
    .addHelpText('after', HELP)
    .action(async (file: string, o: Options) => {
      const loaded = await loadPlanForCli(file);
      const plan = loaded.plan;
      const notes = await useReplacedZones(loaded, o.state ?? defaultStatePath(plan));
      const options: PolicyOptions = { ...(o.path ? { path: o.path } : {}), ...(o.rollback ? { rollback: true } : {}) };
      const assumed: string[] = [];
      if (o.discover) {
        const access = accessFor(loaded);
        try {
          const accountIds: Record<string, string> = {};
          for (const a of Object.keys(plan.accounts)) accountIds[a] = await access.accountId(a);
          const owners = await findOwners(plan, access);
          Object.assign(options, { accountIds, zoneOwners: owners.zones, endpointOwners: owners.endpoints });
          for (const z of [...owners.goneZones, ...owners.unreadableZones]) assumed.push(`zone ${z}: no account of the plan could read it; taken to be ${plan.profile.account}'s (the Profile's account)`);
          for (const e of plan.endpoints.filter((x) => !owners.endpoints[x.id])) assumed.push(`endpoint ${e.id}: no account of the plan could describe it; taken to be ${plan.sharedServicesVpc.account}'s (the shared-services VPC's account)`);
        } finally {
          access.destroy();
        }
      } else {
        assumed.push(
          `zones ${plan.endpoints.flatMap((e) => e.zones).join(', ')}: taken to be owned by ${plan.profile.account} (the Profile's account)`,
          `endpoints ${plan.endpoints.map((e) => e.id).join(', ')}: taken to be owned by ${plan.sharedServicesVpc.account} (the shared-services VPC's account)`,
        );
      }
      const policies = planPolicies(plan, options);
      if (o.json) {
        for (const n of notes) io.stderr.write(`note: ${n}\n`);
        io.stdout.write(JSON.stringify(policies, null, 2) + '\n');
        return setExit(EXIT.done);
      }
      const needs = planNeeds(plan, options);
      const lines = [
        `IAM policies for plan ${plan.name} (${plan.region}), one per account: ${o.path ? `path ${o.path}` : 'paths A and B (--path narrows)'}, ${o.rollback ? 'run and rollback' : 'run only (--rollback adds rollback and restore-zone)'}.`,
        `r53migrate creates no role and attaches nothing: give each policy to the identity the plan uses for that account.`,
        ...notes.map((n) => `note: ${n}`),
        ...(assumed.length ? [`Owners ${o.discover ? 'not found' : 'assumed (--discover reads them)'}:`, ...assumed.map((a) => `  ${a}`)] : []),
      ];
      for (const [name, { accountId, policy }] of Object.entries(policies.accounts)) {
        const size = policySize(policy);
        const calls = needs.filter((n) => n.account === name).length;
        lines.push('', `== Account ${name}${accountId ? ` (${accountId})` : ''}: ${policy.Statement.length} statements for ${calls} kinds of request, ${size.toLocaleString('en-US')} characters ==`);
        if (size > INLINE_ROLE_POLICY_MAX) lines.push(`warning: larger than IAM allows for one policy (${MANAGED_POLICY_MAX.toLocaleString('en-US')} characters managed, ${INLINE_ROLE_POLICY_MAX.toLocaleString('en-US')} inline on a role): split its statements over several policies`);
        else if (size > MANAGED_POLICY_MAX) lines.push(`note: larger than a managed policy may be (${MANAGED_POLICY_MAX.toLocaleString('en-US')} characters): attach it as an inline policy of the role, or split it`);
        lines.push(JSON.stringify(policy, null, 2));
      }
      io.stdout.write(lines.join('\n') + '\n');
      setExit(EXIT.done);
    });
}

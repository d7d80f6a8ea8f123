// SSM Run Command as the channel of in-VPC DNS probes: send the probe program to instances
// (AWS-RunShellScript, at most 50 instances per SendCommand), read what each printed, cancel what
// did not finish in time. Output comes from ListCommandInvocations with Details (cut at 2,500
// characters per plugin) and, for an output cut short, GetCommandInvocation (24,000 characters).
import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import type { PlanAccount } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { NotFoundError } from './errors.js';

/** SendCommand's InstanceIds holds at most 50 ids (botocore: InstanceIdList). */
export const SEND_COMMAND_MAX_INSTANCES = 50;
/** `items` in runs of at most `size` (the API limits: 50 instances per SendCommand or filter). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The plugin of AWS-RunShellScript, as GetCommandInvocation names it. */
const SHELL_PLUGIN = 'aws:runShellScript';

/** Invocation statuses after which nothing more will happen (CommandInvocationStatus, less the moving ones). */
const FINAL = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export interface Invocation {
  instanceId: string;
  /** Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed, Cancelling. */
  status: string;
  /** Finer: "Delivery Timed Out", "Undeliverable", "Execution Timed Out", ... */
  statusDetails: string;
  final: boolean;
  /** The shell plugin's output as this read shows it (ListCommandInvocations cuts it at 2,500 characters). */
  output: string;
  responseCode?: number;
}

export interface SendOptions {
  commands: string[];
  /** AWS's delivery timeout: a command no agent picked up by then ends DeliveryTimedOut (30 at least). */
  deliveryTimeoutSeconds: number;
  /** The document's executionTimeout: the shell is stopped after this long. */
  executionTimeoutSeconds: number;
  comment: string;
  signal?: AbortSignal;
}

/** What the SSM probe monitor needs from AWS (the real one below; tests may script one). */
export interface RunCommandChannel {
  send(account: string, instanceIds: string[], opts: SendOptions): Promise<string>;
  /** Every invocation of the command that AWS shows yet (right after SendCommand, maybe none). */
  invocations(account: string, commandId: string, signal?: AbortSignal): Promise<Invocation[]>;
  /** One instance's whole output (up to 24,000 characters); undefined while AWS does not show it yet. */
  fullOutput(account: string, commandId: string, instanceId: string, signal?: AbortSignal): Promise<string | undefined>;
  cancel(account: string, commandId: string, instanceIds: string[], signal?: AbortSignal): Promise<void>;
  /** The command an operator runs to see for themselves why an invocation failed. */
  inspectCommand(account: string, commandId: string, instanceId: string): string;
}

export class SsmRunCommand implements RunCommandChannel {
  constructor(
    private readonly access: AwsAccess,
    private readonly region: string,
    /** The plan's accounts: a named profile goes into the operator's aws command. */
    private readonly accounts: Record<string, PlanAccount> = {},
  ) {}

  async send(account: string, instanceIds: string[], opts: SendOptions): Promise<string> {
    if (instanceIds.length < 1 || instanceIds.length > SEND_COMMAND_MAX_INSTANCES) throw new Error(`SendCommand takes 1 to ${SEND_COMMAND_MAX_INSTANCES} instances (got ${instanceIds.length})`);
    const command = new SendCommandCommand({
      InstanceIds: instanceIds,
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: opts.commands, executionTimeout: [String(opts.executionTimeoutSeconds)] },
      TimeoutSeconds: opts.deliveryTimeoutSeconds,
      Comment: opts.comment.slice(0, 100),
    });
    // A probe command changes nothing but the evidence: an attempt refused (throttled) or lost is
    // simply sent again; a duplicate is one more probe on the instance, and only this id is read.
    const out = await this.access.mutate(account, 'ssm', command, { signal: opts.signal, verify: async () => false, target: instanceIds.length === 1 ? instanceIds[0]! : `${instanceIds.length} instances` });
    const id = out.status === 'applied' ? out.output.Command?.CommandId : undefined;
    if (!id) throw new Error('SendCommand answered without a command id');
    return id;
  }

  async invocations(account: string, commandId: string, signal?: AbortSignal): Promise<Invocation[]> {
    const out: Invocation[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.access.read(account, 'ssm', new ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50, ...(token ? { NextToken: token } : {}) }), { signal, target: commandId });
      } catch (e) {
        // Run Command is eventually consistent: a command just sent may not be listed yet.
        if (e instanceof NotFoundError && !token) return [];
        throw e;
      }
      for (const inv of page.CommandInvocations ?? []) {
        const plugin = inv.CommandPlugins?.find((p) => p.Name === SHELL_PLUGIN) ?? inv.CommandPlugins?.[0];
        out.push({
          instanceId: inv.InstanceId ?? '',
          status: inv.Status ?? 'Pending',
          statusDetails: inv.StatusDetails ?? '',
          final: FINAL.has(inv.Status ?? ''),
          output: plugin?.Output ?? '',
          ...(plugin?.ResponseCode !== undefined ? { responseCode: plugin.ResponseCode } : {}),
        });
      }
      token = page.NextToken;
    } while (token);
    return out;
  }

  async fullOutput(account: string, commandId: string, instanceId: string, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.access.read(account, 'ssm', new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: SHELL_PLUGIN }), { signal, target: instanceId });
      return out.StandardOutputContent ?? '';
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  async cancel(account: string, commandId: string, instanceIds: string[], signal?: AbortSignal): Promise<void> {
    await this.access.mutate(account, 'ssm', new CancelCommandCommand({ CommandId: commandId, InstanceIds: instanceIds }), { signal, target: commandId });
  }

  inspectCommand(account: string, commandId: string, instanceId: string): string {
    const profile = this.accounts[account]?.profile;
    return `aws ssm get-command-invocation --command-id ${commandId} --instance-id ${instanceId} --region ${this.region}${profile ? ` --profile ${profile}` : ''}`;
  }
}

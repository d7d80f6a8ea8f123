// AWS Systems Manager Run Command for the slice an in-VPC DNS probe needs: DescribeInstanceInformation,
// SendCommand (AWS-RunShellScript), ListCommandInvocations, GetCommandInvocation, ListCommands,
// CancelCommand. Pure functions of (ctx, input) plus advanceSsm(), the invocation lifecycle
// driven by deadlines like every other twin lifecycle; running the script is the SsmEnv's
// business (ssm-runner.ts). Facts and sources: shared/reference/aws-facts-2.md §1 ("facts") and
// shared/reference/models/ssm.service-2.json ("model").
import { AwsApiError } from '../errors.js';
import type { CallContext, SsmEnv } from '../protocol.js';
import type { CommandInvocation, CommandInvocationStatus, Instance, SsmCommand, World } from '../world.js';
import { advance, derive } from '../world.js';

export const RUN_SHELL_SCRIPT = 'AWS-RunShellScript';
/** AWS-RunShellScript is a schema 1.2 document: its one plugin is aws:runShellScript [facts §1]. */
export const PLUGIN_NAME = 'aws:runShellScript';
/** [model StandardOutputContent max 24000, StandardErrorContent max 8000, CommandPluginOutput max 2500] */
export const STDOUT_MAX = 24_000;
export const STDERR_MAX = 8_000;
export const PLUGIN_OUTPUT_MAX = 2_500;
/** AWS-RunShellScript's executionTimeout: default "3600", at most 172800 s (48 h) [facts §1]. */
export const DEFAULT_EXECUTION_TIMEOUT_S = 3600;
export const MAX_EXECUTION_TIMEOUT_S = 172_800;
/** TimeoutSeconds 30..2592000 [model TimeoutSeconds]; the default is 3600 s [facts §1, SSM UG monitor-commands.md]. */
export const DEFAULT_TIMEOUT_S = 3600;
/** The agent version the twin's managed nodes report (any real 3.x version would do). */
export const TWIN_AGENT_VERSION = '3.3.1142.0';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** [model InstanceId pattern] `(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)` */
const MODEL_INSTANCE_ID = /(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TERMINAL = new Set<CommandInvocationStatus>(['Success', 'Cancelled', 'TimedOut', 'Failed']);

export const isTerminal = (s: CommandInvocationStatus): boolean => TERMINAL.has(s);

// ---------- errors ----------

/** The JSON-protocol validation error for a modelled constraint (code and wording as AWS's JSON services write it). */
function validation(member: string, value: unknown, constraint: string): AwsApiError {
  return new AwsApiError('ValidationException', `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

const invalidInstance = (ids: string[], accountId: string) =>
  // The message AWS sends for an instance that isn't a managed node of the caller in a state to
  // take commands [peer: aws-cli and boto3 issues quoting "Instances [[i-…]] not in a valid state for account …"].
  new AwsApiError('InvalidInstanceId', `Instances [[${ids.join(', ')}]] not in a valid state for account ${accountId}`);

function checkCommandId(id: unknown, member = 'commandId'): string {
  if (typeof id !== 'string' || id.length !== 36) {
    throw validation(member, id, 'Member must have length less than or equal to 36, Member must have length greater than or equal to 36');
  }
  if (!UUID.test(id)) throw new AwsApiError('InvalidCommandId', '');
  return id;
}

function checkMaxResults(v: number | undefined, min: number, max: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min) throw validation('maxResults', v, `Member must have value greater than or equal to ${min}`);
  if (v > max) throw validation('maxResults', v, `Member must have value less than or equal to ${max}`);
  return v;
}

// ---------- pagination ----------

interface Page<T> {
  items: T[];
  nextToken?: string;
}

function paginate<T>(items: T[], op: string, size: number, token: string | undefined): Page<T> {
  let offset = 0;
  if (token !== undefined && token !== '') {
    let body: { op?: string; offset?: number } | null = null;
    try {
      body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { op?: string; offset?: number };
    } catch {
      body = null;
    }
    if (!body || body.op !== op || !Number.isInteger(body.offset) || (body.offset as number) < 0) {
      throw new AwsApiError('InvalidNextToken', 'The specified token is not valid.');
    }
    offset = body.offset as number;
  }
  const slice = items.slice(offset, offset + size);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, nextToken: Buffer.from(JSON.stringify({ op, offset: end })).toString('base64url') } : { items: slice };
}

// ---------- lifecycle ----------

const NO_ENV: SsmEnv = { agentOffline: () => undefined, takeCommandFail: () => false, wake: () => {} };

/** Status details of a twin that runs no commands (no process is ever spawned then). */
export const EXECUTION_OFF_DETAILS = 'Failed: this twin runs no commands (command execution is off)';

function finish(inv: CommandInvocation, at: number, status: CommandInvocationStatus, details: string, code: number): void {
  inv.status = status;
  inv.statusDetails = details;
  inv.responseCode = code;
  inv.endedAt = at;
}

/**
 * Moves every invocation along: the agent picks a Pending one up once its delivery delay passed
 * and the agent is online; an agent that stays offline lets it time out at TimeoutSeconds
 * ("Delivery Timed Out"); an instance that is gone makes it Undeliverable. Idempotent.
 */
export function advanceSsm(world: World, now: number, env: SsmEnv = NO_ENV): void {
  let waiting = false;
  for (const cmd of world.commands) {
    const deliveryDeadline = cmd.requestedAt + cmd.timeoutSeconds * 1000;
    for (const inv of cmd.invocations) {
      if (inv.status !== 'Pending') continue;
      if (now < inv.deliverAt) {
        waiting = true;
        continue;
      }
      const instance = world.instances.find((i) => i.id === inv.instanceId);
      if (!instance || instance.state === 'terminated') {
        // Terminal; doesn't count against MaxErrors [facts §1 StatusDetails].
        finish(inv, inv.deliverAt, 'Failed', 'Undeliverable', -1);
        continue;
      }
      const offline = instance.state !== 'running' || !instance.ssmAgent || env.agentOffline(instance.id) !== undefined;
      if (offline || now >= deliveryDeadline) {
        // "If this time is reached and the command hasn't already started running, it won't run" [model TimeoutSeconds].
        if (now >= deliveryDeadline) finish(inv, deliveryDeadline, 'TimedOut', 'Delivery Timed Out', -1);
        else waiting = true;
        continue;
      }
      inv.startedAt = now;
      if (inv.failInjected) {
        inv.stdout = '';
        inv.stderr = '';
        finish(inv, now, 'Failed', 'Failed', 1);
      } else if (!env.execute) {
        inv.stderr = 'r53migrate twin: this twin server was started without command execution, so no command runs on it.';
        finish(inv, now, 'Failed', EXECUTION_OFF_DETAILS, -1);
      } else {
        inv.status = 'InProgress';
        inv.statusDetails = 'In Progress';
        env.execute(cmd.commandId, inv.instanceId);
      }
    }
  }
  if (waiting) env.wake();
}

/** Whether the lifecycle still has something to do on its own (a Pending invocation). */
export function ssmHasPending(world: World): boolean {
  return world.commands.some((c) => c.invocations.some((i) => i.status === 'Pending'));
}

/** The command's overall status from its invocations [inference from facts §1 status lists]. */
function commandStatus(cmd: SsmCommand): { status: string; details: string; completed: number; errors: number; deliveryTimedOut: number } {
  const inv = cmd.invocations;
  const done = inv.filter((i) => isTerminal(i.status));
  const errors = inv.filter((i) => i.status === 'Failed' && i.statusDetails !== 'Undeliverable').length + inv.filter((i) => i.status === 'TimedOut' && i.statusDetails === 'Execution Timed Out').length;
  const deliveryTimedOut = inv.filter((i) => i.statusDetails === 'Delivery Timed Out').length;
  const counts = { completed: done.length, errors, deliveryTimedOut };
  if (inv.some((i) => i.status === 'Cancelling')) return { status: 'Cancelling', details: 'Cancelling', ...counts };
  if (done.length < inv.length) {
    return inv.every((i) => i.status === 'Pending') ? { status: 'Pending', details: 'Pending', ...counts } : { status: 'InProgress', details: 'In Progress', ...counts };
  }
  if (inv.every((i) => i.status === 'Success')) return { status: 'Success', details: 'Success', ...counts };
  if (inv.every((i) => i.status === 'Cancelled')) return { status: 'Cancelled', details: 'Cancelled', ...counts };
  if (inv.every((i) => i.statusDetails === 'Delivery Timed Out')) return { status: 'TimedOut', details: 'Delivery Timed Out', ...counts };
  if (inv.every((i) => i.statusDetails === 'Undeliverable')) return { status: 'Failed', details: 'Undeliverable', ...counts };
  if (errors > 0) return { status: 'Failed', details: 'Failed', ...counts };
  return { status: 'Success', details: 'Incomplete', ...counts };
}

// ---------- views ----------

const seconds = (ms: number) => ms / 1000;
const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

function elapsed(inv: CommandInvocation): string {
  if (inv.startedAt === undefined || inv.endedAt === undefined) return '';
  return `PT${((inv.endedAt - inv.startedAt) / 1000).toFixed(3)}S`;
}

/** The plugin's Output: stdout, then stderr after the agent's separator, cut at 2,500 [model CommandPluginOutput; separator: peer outputs]. */
export function pluginOutput(inv: CommandInvocation): string {
  if (!isTerminal(inv.status)) return '';
  const text = inv.stderr ? `${inv.stdout}\n----------ERROR-------\n${inv.stderr}` : inv.stdout;
  return text.slice(0, PLUGIN_OUTPUT_MAX);
}

export function commandView(cmd: SsmCommand) {
  const s = commandStatus(cmd);
  return {
    CommandId: cmd.commandId,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    Comment: cmd.comment,
    ExpiresAfter: seconds(cmd.requestedAt + cmd.timeoutSeconds * 1000),
    Parameters: cmd.parameters,
    InstanceIds: [...cmd.instanceIds],
    Targets: [],
    RequestedDateTime: seconds(cmd.requestedAt),
    Status: s.status,
    StatusDetails: s.details,
    OutputS3Region: cmd.region,
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    MaxConcurrency: cmd.maxConcurrency,
    MaxErrors: cmd.maxErrors,
    TargetCount: cmd.invocations.length,
    CompletedCount: s.completed,
    ErrorCount: s.errors,
    DeliveryTimedOutCount: s.deliveryTimedOut,
    ServiceRole: '',
    NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
    TimeoutSeconds: cmd.timeoutSeconds,
  };
}

function invocationView(cmd: SsmCommand, inv: CommandInvocation, details: boolean) {
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    InstanceName: inv.instanceName,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    RequestedDateTime: seconds(cmd.requestedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    TraceOutput: '',
    StandardOutputUrl: '',
    StandardErrorUrl: '',
    // Without Details the list is empty [model ListCommandInvocationsRequest.Details].
    CommandPlugins: details
      ? [
          {
            Name: PLUGIN_NAME,
            Status: inv.status === 'Cancelling' ? 'InProgress' : inv.status === 'Delayed' ? 'Pending' : inv.status,
            StatusDetails: inv.statusDetails,
            ResponseCode: inv.responseCode,
            ...(inv.startedAt !== undefined ? { ResponseStartDateTime: seconds(inv.startedAt) } : {}),
            ...(inv.endedAt !== undefined ? { ResponseFinishDateTime: seconds(inv.endedAt) } : {}),
            Output: pluginOutput(inv),
            StandardOutputUrl: '',
            StandardErrorUrl: '',
            OutputS3Region: cmd.region,
            OutputS3BucketName: '',
            OutputS3KeyPrefix: '',
          },
        ]
      : [],
    ServiceRole: '',
    NotificationConfig: { NotificationArn: '', NotificationEvents: [], NotificationType: '' },
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

// ---------- instances ----------

function instanceRegion(world: World, inst: Instance): string {
  return world.vpcs.find((v) => v.id === inst.vpcId)?.region ?? world.region;
}

/** Managed nodes the caller sees: its own running instances with an agent, in its Region. Stopped and terminated ones are never returned [facts §1]. */
function managedNodes(ctx: CallContext): Instance[] {
  return ctx.world.instances.filter(
    (i) => i.ownerId === ctx.accountId && i.ssmAgent !== undefined && i.state === 'running' && instanceRegion(ctx.world, i) === ctx.region,
  );
}

function computerName(inst: Instance, region: string): string {
  const host = `ip-${inst.privateIp.replace(/\./g, '-')}`;
  return region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}

function instanceInformationView(ctx: CallContext, inst: Instance) {
  const offline = ctx.ssm?.agentOffline(inst.id);
  const agent = inst.ssmAgent!;
  return {
    InstanceId: inst.id,
    PingStatus: offline ? 'ConnectionLost' : 'Online',
    // An online agent has just pinged; a lost one last pinged when it went away.
    LastPingDateTime: seconds(offline ? offline.since : ctx.now),
    AgentVersion: agent.agentVersion,
    IsLatestVersion: false,
    PlatformType: 'Linux',
    PlatformName: agent.platformName,
    PlatformVersion: agent.platformVersion,
    ResourceType: 'EC2Instance',
    IPAddress: inst.privateIp,
    ComputerName: computerName(inst, instanceRegion(ctx.world, inst)),
    SourceId: inst.id,
    SourceType: 'AWS::EC2::Instance',
  };
}

// ---------- DescribeInstanceInformation ----------

export interface InstanceInformationInput {
  InstanceInformationFilterList?: { key: string; valueSet: string[] }[];
  Filters?: { Key: string; Values: string[] }[];
  MaxResults?: number;
  NextToken?: string;
}

/** Keys of the Filters form [facts §1 InstanceInformationStringFilter.Key]; the legacy list takes the enum [model InstanceInformationFilterKey]. */
const STRING_FILTER_KEYS = new Set(['ActivationIds', 'AgentVersion', 'AssociationStatus', 'IamRole', 'InstanceIds', 'PingStatus', 'PlatformTypes', 'PlatformType', 'ResourceType', 'SourceIds', 'SourceTypes']);
const LEGACY_FILTER_KEYS = new Set(['InstanceIds', 'AgentVersion', 'PingStatus', 'PlatformTypes', 'ActivationIds', 'IamRole', 'ResourceType', 'AssociationStatus']);

export function describeInstanceInformation(ctx: CallContext, input: InstanceInformationInput) {
  advance(ctx.world, ctx.now);
  // MaxResults 5..50, default 10 [facts §1 MaxResultsEC2Compatible].
  const size = checkMaxResults(input.MaxResults, 5, 50, 10);
  if (input.InstanceInformationFilterList?.length && input.Filters?.length) {
    // "can't be combined" [facts §1]; the error AWS sends for it is [unconfirmed].
    throw new AwsApiError('ValidationException', 'InstanceInformationFilterList and Filters cannot be used together.');
  }
  const filters: { key: string; values: string[] }[] = [
    ...(input.InstanceInformationFilterList ?? []).map((f) => {
      if (!LEGACY_FILTER_KEYS.has(f.key)) throw validation('instanceInformationFilterList.1.member.key', f.key, `Member must satisfy enum value set: [${[...LEGACY_FILTER_KEYS].join(', ')}]`);
      return { key: f.key, values: f.valueSet };
    }),
    ...(input.Filters ?? []).map((f) => {
      if (!STRING_FILTER_KEYS.has(f.Key) && f.Key !== 'tag-key' && !f.Key.startsWith('tag:')) throw new AwsApiError('InvalidFilterKey', '');
      return { key: f.Key, values: f.Values };
    }),
  ];
  for (const f of filters) {
    // Each filter takes 1..100 values [facts §1 InstanceInformationFilterValueSet].
    if (!Array.isArray(f.values) || f.values.length < 1 || f.values.length > 100) {
      throw new AwsApiError('InvalidInstanceInformationFilterValue', `The filter ${f.key} needs 1 to 100 values.`);
    }
  }
  const tagFilters = filters.filter((f) => f.key === 'tag-key' || f.key.startsWith('tag:'));
  if (tagFilters.length > 0 && tagFilters.length < filters.length) {
    // "Tag filters can't be combined with other filter types" [facts §1]; the error is [unconfirmed].
    throw new AwsApiError('InvalidFilter', 'Tag filters cannot be combined with other filter types.');
  }
  const views = managedNodes(ctx).map((i) => ({ inst: i, view: instanceInformationView(ctx, i) }));
  const selected = views.filter(({ inst, view }) =>
    filters.every((f) => {
      const vals = f.values;
      switch (f.key) {
        case 'InstanceIds':
          for (const v of vals) if (!MODEL_INSTANCE_ID.test(v)) throw new AwsApiError('InvalidInstanceInformationFilterValue', `${v} is not a valid instance id.`);
          return vals.includes(view.InstanceId);
        case 'PingStatus':
          return vals.includes(view.PingStatus);
        case 'PlatformTypes':
        case 'PlatformType':
          return vals.includes(view.PlatformType);
        case 'ResourceType':
          return vals.includes(view.ResourceType);
        case 'AgentVersion':
          return vals.includes(view.AgentVersion);
        case 'SourceIds':
          return vals.includes(view.SourceId);
        case 'SourceTypes':
          return vals.includes(view.SourceType);
        case 'tag-key':
          return vals.some((k) => k in inst.tags);
        default:
          if (f.key.startsWith('tag:')) {
            const key = f.key.slice(4);
            return key in inst.tags && vals.includes(inst.tags[key]!);
          }
          // ActivationIds, IamRole, AssociationStatus: EC2 nodes of the twin have none.
          return false;
      }
    }),
  );
  const page = paginate(selected.map((s) => s.view), 'DescribeInstanceInformation', size, input.NextToken);
  return { InstanceInformationList: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

// ---------- SendCommand ----------

export interface SendCommandInput {
  InstanceIds?: string[];
  Targets?: unknown[];
  DocumentName?: string;
  DocumentVersion?: string;
  TimeoutSeconds?: number;
  Comment?: string;
  Parameters?: Record<string, string[]>;
  MaxConcurrency?: string;
  MaxErrors?: string;
  OutputS3BucketName?: string;
  CloudWatchOutputConfig?: unknown;
}

function commandIdFor(world: World): string {
  world.idCounter += 1;
  const h = derive(`${world.seed}:command:${world.idCounter}`, 32, '0123456789abcdef');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function sendCommand(ctx: CallContext, input: SendCommandInput) {
  advance(ctx.world, ctx.now);
  if (typeof input.DocumentName !== 'string' || input.DocumentName === '') {
    throw validation('documentName', input.DocumentName ?? 'null', 'Member must not be null');
  }
  if (input.DocumentName !== RUN_SHELL_SCRIPT) {
    // The twin knows one document; real accounts have many (a deliberate limit of the twin).
    throw new AwsApiError('InvalidDocument', `Document with name ${input.DocumentName} does not exist in this twin (only ${RUN_SHELL_SCRIPT}).`);
  }
  if (input.Targets !== undefined && input.Targets.length > 0) {
    throw new AwsApiError('InvalidParameters', 'Targets are not supported by the twin: send InstanceIds.');
  }
  const ids = input.InstanceIds ?? [];
  if (ids.length === 0) throw new AwsApiError('InvalidParameters', 'Either InstanceIds or Targets must be specified.');
  // At most 50 ids [facts §1 InstanceIdList max 50].
  if (ids.length > 50) throw validation('instanceIds', `[${ids.join(', ')}]`, 'Member must have length less than or equal to 50');
  if (new Set(ids).size !== ids.length) throw new AwsApiError('DuplicateInstanceId', '');
  if (input.TimeoutSeconds !== undefined) {
    if (!Number.isInteger(input.TimeoutSeconds) || input.TimeoutSeconds < 30) throw validation('timeoutSeconds', input.TimeoutSeconds, 'Member must have value greater than or equal to 30');
    if (input.TimeoutSeconds > 2_592_000) throw validation('timeoutSeconds', input.TimeoutSeconds, 'Member must have value less than or equal to 2592000');
  }
  if (input.Comment !== undefined && input.Comment.length > 100) throw validation('comment', input.Comment, 'Member must have length less than or equal to 100');
  // [facts §1 MaxConcurrency / MaxErrors patterns]; accepted and echoed, not enforced (the twin runs every invocation).
  if (input.MaxConcurrency !== undefined && !/^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/.test(input.MaxConcurrency)) {
    throw validation('maxConcurrency', input.MaxConcurrency, 'Member must satisfy regular expression pattern: ^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$');
  }
  if (input.MaxErrors !== undefined && !/^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/.test(input.MaxErrors)) {
    throw validation('maxErrors', input.MaxErrors, 'Member must satisfy regular expression pattern: ^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$');
  }
  const params = input.Parameters ?? {};
  for (const name of Object.keys(params)) {
    if (!['commands', 'workingDirectory', 'executionTimeout'].includes(name)) {
      throw new AwsApiError('InvalidParameters', `Parameter "${name}" is not defined in document ${RUN_SHELL_SCRIPT}.`);
    }
  }
  const commands = params.commands;
  // commands: StringList, required, minItems 1 [facts §1 AWS-RunShellScript parameters].
  if (!Array.isArray(commands) || commands.length === 0) {
    throw new AwsApiError('InvalidParameters', 'Parameter "commands" is required and needs at least one value.');
  }
  let executionTimeoutSeconds = DEFAULT_EXECUTION_TIMEOUT_S;
  const et = params.executionTimeout;
  if (et !== undefined) {
    const raw = et[0];
    if (et.length !== 1 || raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_EXECUTION_TIMEOUT_S) {
      throw new AwsApiError('InvalidParameters', `Parameter "executionTimeout" must be a whole number of seconds from 1 to ${MAX_EXECUTION_TIMEOUT_S}.`);
    }
    executionTimeoutSeconds = Number(raw);
  }

  const nodes = managedNodes(ctx);
  const bad = ids.filter((id) => !INSTANCE_ID.test(id) || !nodes.some((n) => n.id === id));
  // Not a managed node of the caller, not running, or another account's: one error naming them.
  if (bad.length > 0) throw invalidInstance(bad, ctx.accountId);

  const commandId = commandIdFor(ctx.world);
  const deliverAt = ctx.now + Math.round(ctx.world.delays.ssmDeliveryMs * ctx.delayFactor);
  const cmd: SsmCommand = {
    commandId,
    ownerId: ctx.accountId,
    region: ctx.region,
    documentName: RUN_SHELL_SCRIPT,
    documentVersion: input.DocumentVersion ?? '$DEFAULT',
    comment: input.Comment ?? '',
    parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, [...v]])),
    instanceIds: [...ids],
    requestedAt: ctx.now,
    visibleAt: ctx.now + Math.round(ctx.world.delays.ssmConsistencyMs * ctx.delayFactor),
    timeoutSeconds: input.TimeoutSeconds ?? DEFAULT_TIMEOUT_S,
    executionTimeoutSeconds,
    maxConcurrency: input.MaxConcurrency ?? '50',
    maxErrors: input.MaxErrors ?? '0',
    invocations: ids.map((id) => {
      const inst = nodes.find((n) => n.id === id)!;
      const inv: CommandInvocation = {
        instanceId: id,
        instanceName: inst.tags.Name ?? '',
        status: 'Pending',
        statusDetails: 'Pending',
        deliverAt,
        responseCode: -1,
        stdout: '',
        stderr: '',
      };
      if (ctx.ssm?.takeCommandFail(id, ctx.accountId)) inv.failInjected = true;
      return inv;
    }),
  };
  ctx.world.commands.push(cmd);
  ctx.ssm?.wake();
  return { Command: commandView(cmd) };
}

// ---------- reading commands ----------

function ownCommands(ctx: CallContext): SsmCommand[] {
  advanceSsm(ctx.world, ctx.now, ctx.ssm);
  return ctx.world.commands.filter((c) => c.ownerId === ctx.accountId && c.region === ctx.region);
}

function checkInstanceIdMember(id: string | undefined): void {
  if (id !== undefined && !MODEL_INSTANCE_ID.test(id)) {
    throw validation('instanceId', id, 'Member must satisfy regular expression pattern: (^i-(\\w{8}|\\w{17})$)|(^mi-\\w{17}$)');
  }
}

export interface ListCommandInvocationsInput {
  CommandId?: string;
  InstanceId?: string;
  MaxResults?: number;
  NextToken?: string;
  Filters?: { key: string; value: string }[];
  Details?: boolean;
}

const COMMAND_FILTER_KEYS = new Set(['InvokedAfter', 'InvokedBefore', 'Status', 'ExecutionStage', 'DocumentName']);

function commandFilter(filters: { key: string; value: string }[] | undefined, forInvocations: boolean) {
  for (const f of filters ?? []) {
    if (!COMMAND_FILTER_KEYS.has(f.key)) throw validation('filters.1.member.key', f.key, `Member must satisfy enum value set: [${[...COMMAND_FILTER_KEYS].join(', ')}]`);
    // ExecutionStage works on ListCommands only [facts §1].
    if (forInvocations && f.key === 'ExecutionStage') throw new AwsApiError('InvalidFilterKey', '');
  }
  return (cmd: SsmCommand, status: string) =>
    (filters ?? []).every((f) => {
      switch (f.key) {
        case 'InvokedAfter':
          return cmd.requestedAt >= Date.parse(f.value);
        case 'InvokedBefore':
          return cmd.requestedAt <= Date.parse(f.value);
        case 'Status':
          return status === f.value;
        case 'DocumentName':
          return cmd.documentName === f.value;
        case 'ExecutionStage':
          return f.value === 'Executing' ? !isTerminal(status as CommandInvocationStatus) : isTerminal(status as CommandInvocationStatus);
        default:
          return true;
      }
    });
}

export function listCommandInvocations(ctx: CallContext, input: ListCommandInvocationsInput) {
  // MaxResults 1..50 [facts §1 CommandMaxResults]; the default is [unconfirmed]: 50.
  const size = checkMaxResults(input.MaxResults, 1, 50, 50);
  if (input.CommandId !== undefined) checkCommandId(input.CommandId);
  checkInstanceIdMember(input.InstanceId);
  const keep = commandFilter(input.Filters, true);
  const cmds = ownCommands(ctx);
  // Newest first, as the console and CLI show them [inference].
  const rows = [...cmds]
    .reverse()
    .filter((c) => input.CommandId === undefined || c.commandId === input.CommandId)
    .flatMap((c) => c.invocations.filter((i) => (input.InstanceId === undefined || i.instanceId === input.InstanceId) && keep(c, i.status)).map((i) => invocationView(c, i, input.Details === true)));
  const page = paginate(rows, 'ListCommandInvocations', size, input.NextToken);
  return { CommandInvocations: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

export interface GetCommandInvocationInput {
  CommandId?: string;
  InstanceId?: string;
  PluginName?: string;
}

export function getCommandInvocation(ctx: CallContext, input: GetCommandInvocationInput) {
  const commandId = checkCommandId(input.CommandId ?? 'null');
  if (input.InstanceId === undefined) throw validation('instanceId', 'null', 'Member must not be null');
  checkInstanceIdMember(input.InstanceId);
  if (input.PluginName !== undefined && input.PluginName !== PLUGIN_NAME) {
    if (input.PluginName.length < 4) throw validation('pluginName', input.PluginName, 'Member must have length greater than or equal to 4');
    throw new AwsApiError('InvalidPluginName', '');
  }
  const cmd = ownCommands(ctx).find((c) => c.commandId === commandId);
  const inv = cmd?.invocations.find((i) => i.instanceId === input.InstanceId);
  // Also right after SendCommand: Run Command is eventually consistent [facts §1 InvocationDoesNotExist].
  if (!cmd || !inv || ctx.now < cmd.visibleAt) throw new AwsApiError('InvocationDoesNotExist', '');
  const terminal = isTerminal(inv.status);
  return {
    CommandId: cmd.commandId,
    InstanceId: inv.instanceId,
    Comment: cmd.comment,
    DocumentName: cmd.documentName,
    DocumentVersion: cmd.documentVersion,
    PluginName: PLUGIN_NAME,
    ResponseCode: inv.responseCode,
    ExecutionStartDateTime: iso(inv.startedAt),
    ExecutionElapsedTime: elapsed(inv),
    ExecutionEndDateTime: iso(inv.endedAt),
    Status: inv.status,
    StatusDetails: inv.statusDetails,
    // "If the command hasn't finished running … this string is empty" [model StandardOutputContent].
    StandardOutputContent: terminal ? inv.stdout.slice(0, STDOUT_MAX) : '',
    StandardOutputUrl: '',
    StandardErrorContent: terminal ? inv.stderr.slice(0, STDERR_MAX) : '',
    StandardErrorUrl: '',
    CloudWatchOutputConfig: { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false },
  };
}

export interface ListCommandsInput {
  CommandId?: string;
  InstanceId?: string;
  MaxResults?: number;
  NextToken?: string;
  Filters?: { key: string; value: string }[];
}

export function listCommands(ctx: CallContext, input: ListCommandsInput) {
  const size = checkMaxResults(input.MaxResults, 1, 50, 50);
  if (input.CommandId !== undefined) checkCommandId(input.CommandId);
  checkInstanceIdMember(input.InstanceId);
  const keep = commandFilter(input.Filters, false);
  const cmds = ownCommands(ctx);
  if (input.CommandId !== undefined && !cmds.some((c) => c.commandId === input.CommandId)) {
    // [unconfirmed] what AWS answers for a well-formed id it doesn't know; the model lists InvalidCommandId.
    throw new AwsApiError('InvalidCommandId', '');
  }
  const rows = [...cmds]
    .reverse()
    .filter((c) => (input.CommandId === undefined || c.commandId === input.CommandId) && (input.InstanceId === undefined || c.instanceIds.includes(input.InstanceId)))
    .map(commandView)
    .filter((v, i, all) => keep(cmds.find((c) => c.commandId === all[i]!.CommandId)!, v.Status));
  const page = paginate(rows, 'ListCommands', size, input.NextToken);
  return { Commands: page.items, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

export interface CancelCommandInput {
  CommandId?: string;
  InstanceIds?: string[];
}

export function cancelCommand(ctx: CallContext, input: CancelCommandInput) {
  const commandId = checkCommandId(input.CommandId ?? 'null');
  const cmd = ownCommands(ctx).find((c) => c.commandId === commandId);
  if (!cmd) throw new AwsApiError('InvalidCommandId', '');
  const ids = input.InstanceIds ?? [];
  if (new Set(ids).size !== ids.length) throw new AwsApiError('DuplicateInstanceId', '');
  const unknown = ids.filter((id) => !cmd.instanceIds.includes(id));
  if (unknown.length > 0) throw invalidInstance(unknown, ctx.accountId);
  for (const inv of cmd.invocations) {
    if (ids.length > 0 && !ids.includes(inv.instanceId)) continue;
    if (inv.status === 'Pending' || inv.status === 'Delayed') {
      finish(inv, ctx.now, 'Cancelled', 'Cancelled', -1);
    } else if (inv.status === 'InProgress') {
      // Asynchronous: "Cancelling" until the agent stopped the script [model CancelCommand doc].
      inv.status = 'Cancelling';
      inv.statusDetails = 'Cancelling';
      ctx.ssm?.cancel?.(cmd.commandId, inv.instanceId);
    }
    // Finished invocations stay as they are; cancelling them is not an error [unconfirmed].
  }
  return {};
}

// ---------- completion (called by the runner) ----------

export interface ExecutionResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the script could not be started at all. */
  error?: string;
}

/** Records a finished execution on its invocation (ignored if the invocation is already terminal). */
export function completeInvocation(world: World, commandId: string, instanceId: string, result: ExecutionResult, now: number): void {
  const cmd = world.commands.find((c) => c.commandId === commandId);
  const inv = cmd?.invocations.find((i) => i.instanceId === instanceId);
  if (!inv || isTerminal(inv.status)) return;
  inv.stdout = result.stdout.slice(0, STDOUT_MAX);
  inv.stderr = (result.error ? `${result.stderr}${result.error}` : result.stderr).slice(0, STDERR_MAX);
  if (result.cancelled || inv.status === 'Cancelling') return finish(inv, now, 'Cancelled', 'Cancelled', result.exitCode ?? -1);
  // Execution Timed Out counts as a failure [facts §1]; the agent's exit code for it is [unconfirmed]: 124, as timeout(1) reports.
  if (result.timedOut) return finish(inv, now, 'TimedOut', 'Execution Timed Out', 124);
  if (result.error) return finish(inv, now, 'Failed', 'Failed', result.exitCode ?? 1);
  const code = result.exitCode ?? 1;
  // "Success" means only that the script exited 0 [facts §1].
  if (code === 0) finish(inv, now, 'Success', 'Success', 0);
  else finish(inv, now, 'Failed', 'Failed', code);
}

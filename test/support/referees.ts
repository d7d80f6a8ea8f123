// The independent referees (AWS CLI, moto_server). Tests that use them skip with a visible
// message when they are absent; under CI=true their absence is a failure, not a skip.
import { execFileSync, spawn } from 'node:child_process';

export function hasTool(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns true when the tool is usable. When absent: under CI throws (the suite fails),
 * otherwise prints why the dependent tests are skipped and returns false.
 */
export function referee(cmd: string, purpose: string): boolean {
  if (hasTool(cmd)) return true;
  const msg = `${cmd} not found: ${purpose} tests are skipped (install it, e.g. pip install awscli moto[server])`;
  if (process.env.CI === 'true') throw new Error(`CI=true requires ${cmd}: ${msg}`);
  process.stderr.write(`SKIP: ${msg}\n`);
  return false;
}

export interface AwsCliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/** Runs the AWS CLI (botocore) against an endpoint with the given static credentials. */
export function awsCli(
  args: string[],
  opts: { endpointUrl: string; accessKeyId: string; secretAccessKey: string; region?: string; sessionToken?: string },
): Promise<AwsCliResult> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PYENV_ROOT: process.env.PYENV_ROOT,
      PYENV_VERSION: process.env.PYENV_VERSION,
      AWS_ACCESS_KEY_ID: opts.accessKeyId,
      AWS_SECRET_ACCESS_KEY: opts.secretAccessKey,
      AWS_DEFAULT_REGION: opts.region ?? 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_MAX_ATTEMPTS: '1',
      AWS_RETRY_MODE: 'standard',
      AWS_PAGER: '',
    };
    if (opts.sessionToken) env.AWS_SESSION_TOKEN = opts.sessionToken;
    const child = spawn('aws', ['--endpoint-url', opts.endpointUrl, '--output', 'json', ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: any;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
  });
}

/** The AWS error code the CLI printed, e.g. "(ConflictingDomainExists)". */
export function cliErrorCode(stderr: string): string | undefined {
  return /An error occurred \(([^)]+)\)/.exec(stderr)?.[1];
}

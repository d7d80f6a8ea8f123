// Reading the probe script's output (format R53M1) back, from recorded runs of every mode, and from
// what SSM hands back: whole, cut at ListCommandInvocations' 2,500 characters, with stderr appended,
// or not the probe's output at all. classify() then gives the class a gate acts on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classify, type ProbeClass } from '../../src/probes/classify.js';
import { GETENT_NO_ADDRESS, parseProbeOutput, type ParsedProbeOutput } from '../../src/probes/probe-output.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/probe-output/${name}`, import.meta.url), 'utf8');

// dig.txt and python3.txt: the real script against a scripted loopback server (3 passes), where
// lambda answers the endpoint ENIs, the s3 wildcard probe is truncated over UDP and answered over
// TCP through a CNAME, ecr.api is a CNAME to a public address, sts is NXDOMAIN, ssm SERVFAIL and
// logs never answers.
const NAMES = [
  'lambda.us-east-1.amazonaws.com',
  'r53migrate-probe.s3.us-east-1.amazonaws.com',
  'ecr.api.us-east-1.amazonaws.com',
  'sts.us-east-1.amazonaws.com',
  'ssm.us-east-1.amazonaws.com',
  'logs.us-east-1.amazonaws.com',
];
const EXPECTED: Record<string, string[]> = {
  [NAMES[0]!]: ['10.0.1.5', '10.0.2.5'],
  [NAMES[1]!]: ['10.0.1.9', '10.0.2.9'],
  [NAMES[2]!]: ['10.0.1.20', '10.0.2.20'],
  [NAMES[3]!]: ['10.0.1.30'],
  [NAMES[4]!]: ['10.0.1.40'],
  [NAMES[5]!]: ['10.0.1.50'],
};
const CLASSES: ProbeClass[] = ['ok', 'ok', 'public', 'nxdomain', 'servfail', 'timeout'];

function ok(parsed: ParsedProbeOutput): Extract<ParsedProbeOutput, { ok: true }> {
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed;
}
function reasonOf(parsed: ParsedProbeOutput): string {
  if (parsed.ok) throw new Error('expected the output to be refused');
  return parsed.reason;
}
const classes = (p: ParsedProbeOutput): ProbeClass[] => ok(p).answers.map((a) => classify(a.reply, EXPECTED[a.name] ?? []).class);

/** The SSM agent's TruncateOutput (amazon-ssm-agent agent/framework/processor/executer/iohandler/iohandler.go). */
function ssmPluginOutput(stdout: string, stderr: string, capacity = 2500): string {
  const title = stderr.length > 0 ? '\n----------ERROR-------\n' : '';
  const truncOut = '\n---Output truncated---';
  const truncErr = '\n---Error truncated----';
  const space = capacity - title.length;
  if (stdout.length + stderr.length < space) return stdout + title + stderr;
  if (stdout.length > space / 2 && stderr.length > space / 2) {
    const size = space - truncErr.length - truncOut.length;
    return stdout.slice(0, Math.floor(size / 2)) + truncOut + title + stderr.slice(0, Math.floor(size / 2)) + truncErr;
  }
  if (stdout.length < space / 2) return stdout + title + stderr.slice(0, space - truncErr.length - stdout.length) + truncErr;
  return stdout.slice(0, space - truncOut.length - stderr.length) + truncOut + title + stderr;
}

describe('recorded output of each mode', () => {
  for (const mode of ['dig', 'python3'] as const) {
    it(`${mode}: every pass of every name, each with the class a gate needs`, () => {
      const p = ok(parseProbeOutput(fixture(`${mode}.txt`), NAMES));
      expect(p).toMatchObject({ mode, degraded: false, complete: true });
      expect(p.resolver).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(p.startedEpochMs).toBeGreaterThan(1.7e12);
      expect(p.answers).toHaveLength(18);
      expect(classes(p)).toEqual([...CLASSES, ...CLASSES, ...CLASSES]);
      expect(p.answers.map((a) => a.name)).toEqual([...NAMES, ...NAMES, ...NAMES]);
      // Offsets grow; each pass starts after the one before.
      const offsets = p.answers.map((a) => a.offsetMs);
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y));
    });
  }

  it('dig: the replies carry what the line says, in the prober\'s shape', () => {
    const [lambda, s3, ecr, sts, , logs] = ok(parseProbeOutput(fixture('dig.txt'), NAMES)).answers;
    expect(lambda).toEqual({
      name: NAMES[0],
      offsetMs: 135,
      latencyMs: 12,
      reply: { outcome: 'reply', rcode: 'NOERROR', addresses: ['10.0.1.5', '10.0.2.5'], chain: [NAMES[0]], attempts: 1, transport: 'udp', latencyMs: 12 },
    });
    expect(s3!.reply).toMatchObject({ outcome: 'reply', rcode: 'NOERROR', addresses: ['10.0.1.9', '10.0.2.9'] });
    expect(classify(ecr!.reply, EXPECTED[NAMES[2]!]!)).toMatchObject({ class: 'public', answers: ['198.51.100.20'] });
    expect(sts!.reply).toEqual({ outcome: 'reply', rcode: 'NXDOMAIN', addresses: [], chain: [NAMES[3]], attempts: 1, transport: 'udp', latencyMs: 8 });
    expect(logs!.reply).toEqual({ outcome: 'timeout', attempts: 1, transport: 'udp', latencyMs: 1132 });
    expect(classify(logs!.reply, [])).toMatchObject({ class: 'timeout', reason: 'no reply after 1 attempt(s) over UDP' });
  });

  it('getent (localhost, recorded): degraded, the system resolver, NOERROR from an address', () => {
    const p = ok(parseProbeOutput(fixture('getent-localhost.txt'), ['localhost']));
    expect(p).toMatchObject({ mode: 'getent', degraded: true, resolver: 'system', complete: true });
    expect(p.answers.map((a) => a.reply)).toEqual([
      { outcome: 'reply', rcode: 'NOERROR', addresses: ['127.0.0.1'], chain: ['localhost'], attempts: 1, transport: 'udp', latencyMs: 20 },
      { outcome: 'reply', rcode: 'NOERROR', addresses: ['127.0.0.1'], chain: ['localhost'], attempts: 1, transport: 'udp', latencyMs: 22 },
    ]);
  });

  it('getent (a VPC, in the recorded shape): addresses sorted; no address is an error that says why', () => {
    const names = NAMES.slice(0, 4);
    const p = ok(parseProbeOutput(fixture('getent-vpc.txt'), names));
    expect(classes(p)).toEqual(['ok', 'ok', 'public', 'error', 'ok', 'ok', 'public', 'error']);
    expect(p.answers[4]!.reply).toMatchObject({ addresses: ['10.0.1.5', '10.0.2.5'] });
    expect(p.answers[3]!.reply).toEqual({ outcome: 'error', error: GETENT_NO_ADDRESS, attempts: 1, transport: 'udp', latencyMs: 5017 });
    expect(classify(p.answers[3]!.reply, [])).toMatchObject({ class: 'error', reason: GETENT_NO_ADDRESS });
  });
});

describe('output cut short', () => {
  const long = fixture('dig-long.txt'); // 8 names × 9 passes, 2,732 characters
  const names = ['lambda', 'ecr.api', 'ecr.dkr', 'sts', 'ssm', 'ssmmessages', 'ec2messages', 'logs'].map((s) => `${s}.us-east-1.amazonaws.com`);

  it('the whole recording is complete, 72 answers', () => {
    expect(long.length).toBeGreaterThan(2_500);
    const p = ok(parseProbeOutput(long, names));
    expect(p).toMatchObject({ complete: true });
    expect(p.answers).toHaveLength(72);
  });

  it('cut at 2,500 characters mid-line: the whole lines before the cut, complete: false', () => {
    const cut = long.slice(0, 2_500);
    expect(cut.endsWith('\n')).toBe(false);
    const whole = cut.slice(0, cut.lastIndexOf('\n')).split('\n').length - 1; // minus the begin line
    const p = ok(parseProbeOutput(cut, names));
    expect(p.complete).toBe(false);
    expect(p.answers).toHaveLength(whole);
    expect(p.answers.map((a) => a.reply.outcome === 'reply' && a.reply.addresses.length)).toEqual(Array(whole).fill(2));
  });

  it('as ListCommandInvocations returns it (the agent\'s "---Output truncated---", then stderr)', () => {
    const out = ssmPluginOutput(long, 'r53m-probe: logs.us-east-1.amazonaws.com: [Errno 111] Connection refused\n');
    expect(out).toContain('\n---Output truncated---\n----------ERROR-------\n');
    expect(out.length).toBeLessThanOrEqual(2_500);
    const p = ok(parseProbeOutput(out, names));
    expect(p.complete).toBe(false);
    const stdoutKept = out.slice(0, out.indexOf('\n---Output truncated---'));
    expect(p.answers).toHaveLength(stdoutKept.slice(0, stdoutKept.lastIndexOf('\n')).split('\n').length - 1);
    // The same at every cut point of the last few lines: never a wrong answer, never a refusal.
    for (let capacity = 2_300; capacity <= 2_500; capacity += 7) {
      const q = ok(parseProbeOutput(ssmPluginOutput(long, '', capacity), names));
      expect(q.complete).toBe(false);
      expect(classes(q).every((c) => c === 'public')).toBe(true); // EXPECTED does not list these names' IPs
      for (const a of q.answers) expect(a.reply.outcome === 'reply' && a.reply.addresses).toHaveLength(2);
    }
  });

  it('a short output with stderr after it (the agent\'s ERROR title) is complete; stderr is not read', () => {
    const out = ssmPluginOutput(fixture('dig.txt'), 'r53m-probe: x: something\n');
    expect(out).toContain('\n----------ERROR-------\nr53m-probe');
    expect(ok(parseProbeOutput(out, NAMES))).toMatchObject({ complete: true });
    expect(ok(parseProbeOutput(out, NAMES)).answers).toHaveLength(18);
  });

  it('no end line, or an end count that does not match: complete: false', () => {
    const lines = fixture('dig.txt').split('\n');
    const noEnd = `${lines.slice(0, -2).join('\n')}\n`;
    expect(ok(parseProbeOutput(noEnd, NAMES))).toMatchObject({ complete: false });
    expect(ok(parseProbeOutput(noEnd, NAMES)).answers).toHaveLength(18);
    const wrongCount = fixture('dig.txt').replace('R53M1 end n=18', 'R53M1 end n=19');
    expect(ok(parseProbeOutput(wrongCount, NAMES))).toMatchObject({ complete: false });
    // The end line without its final newline (a trimmed StandardOutputContent) still counts.
    expect(ok(parseProbeOutput(fixture('dig.txt').trimEnd(), NAMES))).toMatchObject({ complete: true });
  });
});

describe('what is tolerated around the output', () => {
  const begin = 'R53M1 begin mode=python3 resolver=10.0.0.2:53 t=1796204000000';
  it('noise before begin and after end, blank lines, CRLF', () => {
    const out = ['Warning: Permanently added host', 'sudo: unable to resolve host ip-10-0-0-5', begin, '', '0 3 NOERROR 2 10.0.1.5', 'R53M1 end n=1', 'bye', ''].join('\r\n');
    expect(ok(parseProbeOutput(out, ['a.example']))).toMatchObject({ complete: true, answers: [{ name: 'a.example' }] });
  });

  it('IPv6 answers normalised and de-duplicated; other rcodes kept', () => {
    const out = [begin, '0 1 NOERROR 2 FD00:0:0::5,fd00::5,10.0.1.5', '1 2 REFUSED 1 -', '1 3 RCODE11 1 -', '0 4 NOERROR 1 -', 'R53M1 end n=4', ''].join('\n');
    const [v6, refused, other, nodata] = ok(parseProbeOutput(out, ['a.example', 'b.example'])).answers;
    expect(v6!.reply).toMatchObject({ addresses: ['10.0.1.5', 'fd00::5'] });
    expect(classify(refused!.reply, [])).toMatchObject({ class: 'error', reason: 'rcode REFUSED' });
    expect(classify(other!.reply, [])).toMatchObject({ class: 'error', reason: 'rcode RCODE11' });
    expect(nodata!.reply).toMatchObject({ rcode: 'NOERROR', addresses: [], chainError: 'no addresses (NODATA)' });
    expect(classify(nodata!.reply, ['10.0.1.5'])).toMatchObject({ class: 'error', reason: 'no addresses (NODATA)' });
  });

  it('ERROR lines become errors', () => {
    const p = ok(parseProbeOutput([begin, '0 1 ERROR 7 -', 'R53M1 end n=1', ''].join('\n'), ['a.example']));
    expect(p.answers[0]!.reply).toEqual({
      outcome: 'error',
      error: 'python3 failed: no reply and no response code (the instance\'s stderr may say why)',
      attempts: 1,
      transport: 'udp',
      latencyMs: 7,
    });
  });
});

describe('what is refused (ok: false, naming the first bad line)', () => {
  const begin = 'R53M1 begin mode=dig resolver=10.0.0.2:53 t=1796204000000';
  const names = ['a.example', 'b.example'];
  const refused: [string, string, string][] = [
    ['empty output', '', 'the probe output is empty'],
    ['not the probe at all', 'sh: 1: dig: not found\n', 'no R53M1 begin line in the probe output'],
    ['a begin line of another format', 'R53M1 begin mode=nslookup resolver=x t=1\n', 'probe output line 1: expected the R53M1 begin line: "R53M1 begin mode=nslookup resolver=x t=1"'],
    ['garbage between begin and end', `${begin}\n0 1 NOERROR 2 10.0.1.5\nsegfault\n`, 'probe output line 3: not an answer line ("<i> <offsetMs> <rcode> <latencyMs> <answers>"): "segfault"'],
    ['a name index past the names', `${begin}\n2 1 NOERROR 2 10.0.1.5\n`, 'probe output line 2: name index 2 is outside the 2 name(s) probed: "2 1 NOERROR 2 10.0.1.5"'],
    ['an answer that is not an address', `${begin}\n0 1 NOERROR 2 10.0.1.999\n`, 'probe output line 2: "10.0.1.999" is not an IP address: "0 1 NOERROR 2 10.0.1.999"'],
    ['"?" outside getent mode', `${begin}\n0 1 ? 2 10.0.1.5\n`, 'probe output line 2: "?" is getent\'s rcode, not dig\'s: "0 1 ? 2 10.0.1.5"'],
    ['an rcode in getent mode', 'R53M1 begin mode=getent resolver=system t=1\n0 1 NOERROR 2 10.0.1.5\n', 'probe output line 2: getent mode gives "?" as its rcode: "0 1 NOERROR 2 10.0.1.5"'],
    ['a TIMEOUT with addresses', `${begin}\n0 1 TIMEOUT 2 10.0.1.5\n`, 'probe output line 2: TIMEOUT with addresses: "0 1 TIMEOUT 2 10.0.1.5"'],
    ['a field missing', `${begin}\n0 1 NOERROR 10.0.1.5\n`, 'probe output line 2: not an answer line ("<i> <offsetMs> <rcode> <latencyMs> <answers>"): "0 1 NOERROR 10.0.1.5"'],
    ['a second run after the end', `${begin}\nR53M1 end n=0\n${begin}\n`, `probe output line 3: R53M1 line after the end line: "${begin}"`],
    ['an R53M1 line before begin', 'R53M1 end n=0\n', 'probe output line 1: expected the R53M1 begin line: "R53M1 end n=0"'],
  ];
  for (const [what, out, reason] of refused) {
    it(what, () => expect(reasonOf(parseProbeOutput(out, names))).toBe(reason));
  }
});

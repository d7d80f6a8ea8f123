#!/usr/bin/env node
// The compiled CLI lives in dist/ (built by `npm install` through the prepare script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The SDK's notice about its Node 20 support window is for developers, not operators mid-run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('r53migrate: dist/ is missing; run `npm install` (or `npm run build`) in the project folder first.\n');
  process.exit(1);
}
// A reader that went away (`r53migrate plan ... | head`) must not crash the command, and above all
// not a run in progress: what it would have printed is dropped, the run and its state file go on.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const { runMain } = await import(main.href);
process.exitCode = await runMain(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

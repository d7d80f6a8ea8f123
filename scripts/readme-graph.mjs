// Rewrites the run-machine diagram in README.md (between its graph:machine markers) with what
// `r53migrate graph` prints now, so the README shows the machine that runs. Reads the built CLI:
// `npm run readme:graph` builds first. test/cli/readme-graph.test.ts fails while the copy is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machineGraph, mermaidBlock } from '../dist/cli/graph.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- graph:machine:start -->';
const END = '<!-- graph:machine:end -->';

const text = readFileSync(README, 'utf8');
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < from) {
  console.error(`README.md has no ${START} ... ${END} block to rewrite`);
  process.exit(2);
}
const next = `${text.slice(0, from)}${START}\n${mermaidBlock(machineGraph('forward'))}${text.slice(to)}`;
if (next === text) console.log('README.md: the run-machine diagram is up to date');
else {
  writeFileSync(README, next);
  console.log('README.md: run-machine diagram rewritten');
}

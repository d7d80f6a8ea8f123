// The README shows the run machine as a diagram; it must be the machine that runs. Regenerated
// here from the definition, compared with the README's copy.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machineGraph, mermaidBlock } from '../../src/cli/graph.js';

const README = new URL('../../README.md', import.meta.url);

describe("the README's run-machine diagram", () => {
  it('is what `r53migrate graph` prints for the machine as it is now', () => {
    const block = /<!-- graph:machine:start -->\n([\s\S]*?)<!-- graph:machine:end -->/.exec(readFileSync(README, 'utf8'));
    expect(block, 'README.md has no <!-- graph:machine:start --> ... <!-- graph:machine:end --> block').not.toBeNull();
    expect(block![1], "README.md's run-machine diagram is stale: refresh it with `npm run readme:graph`").toBe(mermaidBlock(machineGraph('forward')));
  });
});

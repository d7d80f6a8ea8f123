// zod's issues as the lines a person reads: the field path, then what is wrong with it.
import type { z } from 'zod';

function fieldOf(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

export function describeIssues(issues: z.core.$ZodIssue[], limit = 10): string[] {
  const lines = issues.slice(0, limit).map((i) => `${fieldOf(i.path) || '(top level)'}: ${i.message}`);
  if (issues.length > limit) lines.push(`... and ${issues.length - limit} more`);
  return lines;
}

// The version this r53migrate reports (package.json's), read once.
import { createRequire } from 'node:module';

export const { version: TOOL_VERSION } = createRequire(import.meta.url)('../../package.json') as { version: string };

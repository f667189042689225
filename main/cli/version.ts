import { readFileSync } from 'node:fs';
import path from 'node:path';
import { duetRoot } from '../paths.js';

export function duetVersion(): string {
  return (JSON.parse(readFileSync(path.join(duetRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

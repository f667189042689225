#!/usr/bin/env node
// Duet's command line. Runs the TypeScript sources directly through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../main/cli/index.ts');

#!/usr/bin/env node
// The `xcm` command: loads the TypeScript entry through tsx, so `npx xcm` works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./xcm.ts');

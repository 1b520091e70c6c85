import { addKitFolder } from '@sightline/telemetry';

// Errors this package raises for a service point at the service's line.
addKitFolder(new URL('../', import.meta.url));

export { adminTokens, adminTokenSettings, type AdminToken } from './admin-tokens.ts';
export {
  defineFaults,
  type FaultDeclaration,
  type Faults,
  type FaultSchemas,
} from './define-faults.ts';
export type { FaultState } from './fault-control.ts';
export { DEFAULT_FAULT_MS, MAX_FAULT_MS, parseFaultDuration } from './fault-duration.ts';
export { readFlagFile, type FlagDefinition } from './flag-file.ts';

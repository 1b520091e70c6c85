/**
 * Sightline's failure-drill faults, as the tools that switch them see them (`npm run fault`,
 * the drills, the chaos run, tests): each fault's name and the service whose code holds its
 * fault point, read from the one flag file. The options each fault takes are declared by that
 * service (`services/<name>/src/faults.ts`), which checks them against this file at start.
 */
import { readFlagFile, type FlagDefinition } from '@sightline/faults/flag-file';
import type flagFile from './flags.json';

export const FLAGS_FILE = new URL('./flags.json', import.meta.url);

export type FaultName = keyof (typeof flagFile)['flags'];

export const FLAGS = readFlagFile(FLAGS_FILE) as Record<FaultName, FlagDefinition>;

export const FAULT_NAMES = Object.keys(FLAGS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FLAGS, name);
}

/** The service that serves the fault on its admin API. */
export function ownerOf(name: FaultName): string {
  return FLAGS[name].metadata.service;
}

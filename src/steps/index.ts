// The seven steps in the order they run (DESIGN §2). The machine is generated from this list.
import { associate } from './01-associate.js';
import { detachShared } from './02-detach-shared.js';
import { enablePrivateDns } from './03-enable-private-dns.js';
import { removeZoneFromProfile } from './04-remove-zone-from-profile.js';
import { addEndpointToProfile } from './05-add-endpoint-to-profile.js';
import { detachSpokes } from './06-detach-spokes.js';
import { deleteZones } from './07-delete-zones.js';
import type { Step } from './types.js';

export const STEPS: readonly Step[] = [associate, detachShared, enablePrivateDns, removeZoneFromProfile, addEndpointToProfile, detachSpokes, deleteZones];

export type { Step, StepContext, Expectation, Path, Via } from './types.js';

import { join } from 'node:path';
import { ROOT } from './pins.ts';

/** The alert rules as shipped, and classroom mode's copy (infra/drills/classroom-rules.ts). */
export const SHIPPED_RULES = join(ROOT, 'prometheus', 'rules');
export const CLASSROOM_RULES = join(ROOT, 'prometheus', 'classroom-rules');

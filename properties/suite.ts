/**
 * Every property of the suite, family by family, in the order the mutant test tries them.
 * @module
 */
import { COMPILED } from './compiled.ts';
import { DETERMINISM } from './determinism.ts';
import { DIFFERENTIAL } from './differential.ts';
import { NO_LOSS } from './no-loss.ts';
import { PRECISION } from './precision.ts';
import type { TraceProperty } from './property.ts';
import { RECOVERY } from './recovery.ts';
import { SAFETY } from './safety.ts';

/** All properties. */
export const PROPERTIES: readonly TraceProperty[] = [
  ...SAFETY,
  ...PRECISION,
  ...RECOVERY,
  ...NO_LOSS,
  ...DETERMINISM,
  ...DIFFERENTIAL,
  ...COMPILED,
];

/** The property with this id. */
export function propertyById(id: string): TraceProperty {
  const found = PROPERTIES.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no property ${id}`);
  return found;
}

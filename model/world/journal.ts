/**
 * The journal of a draft world's last step: how to undo each change made since `begin`, in the
 * order made, so that `rollback` gives back the world before the step. Entries live in four
 * reused arrays (no closure and no object per change): what undoing does, to what, which key,
 * and the value before. Structure only: it knows nothing of apps or tenants.
 * @module
 */

/** In the journal: the key was absent, so undoing removes it. */
const ABSENT: unique symbol = Symbol('absent');
/** What undoing one entry does. */
const MAP_SET = 0; // set the key of the map back to the value (delete it when ABSENT)
const FIELD = 1; // set the field of the object back to the value
const POP = 2; // take the last element off the array
const CALL = 3; // call the value

/** The changes of one step, to undo. */
export class Journal {
  private readonly ops: number[] = [];
  private readonly targets: unknown[] = [];
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  /** Entries since `begin`: the first `length` of the arrays (later ones are stale). */
  private length = 0;

  /** Start a step: forget the entries of the one before (they are overwritten). */
  begin(): void {
    this.length = 0;
  }

  /** Undo every change since `begin`, last first. */
  rollback(): void {
    for (let i = this.length - 1; i >= 0; i--) {
      const target = this.targets[i];
      const key = this.keys[i] as string;
      const value = this.values[i];
      switch (this.ops[i]) {
        case MAP_SET:
          if (value === ABSENT) (target as Map<string, unknown>).delete(key);
          else (target as Map<string, unknown>).set(key, value);
          break;
        case FIELD:
          (target as Record<string, unknown>)[key] = value;
          break;
        case POP:
          (target as unknown[]).pop();
          break;
        case CALL:
          (value as () => void)();
          break;
      }
    }
    this.length = 0;
  }

  private add(op: number, target: unknown, key: string, value: unknown): void {
    const i = this.length++;
    this.ops[i] = op;
    this.targets[i] = target;
    this.keys[i] = key;
    this.values[i] = value;
  }

  /** Before `map` changes at `key`: its value there now (`old`), or its absence. */
  set<V>(map: Map<string, V>, key: string, old: V | undefined): void {
    this.add(MAP_SET, map, key, old === undefined ? ABSENT : old);
  }

  /** Before a field of `target` changes: its value now. */
  field<T extends object, K extends keyof T & string>(target: T, key: K): void {
    this.add(FIELD, target, key, target[key]);
  }

  /** Push onto an array, journaled. */
  push(list: string[], item: string): void {
    this.add(POP, list, '', undefined);
    list.push(item);
  }

  /** A change undone by calling `undo` (for the rare ones the others do not cover). */
  call(undo: () => void): void {
    this.add(CALL, null, '', undo);
  }
}

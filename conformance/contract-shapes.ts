/**
 * The shapes of the contract's answers the HTTP adapter checks: an app, a tenant, a refusal. One
 * outside them is a {@link ContractError} naming the request.
 * @module
 */
import type { Tier, TenantKind } from '../model/types.ts';
import { type AppView, ContractError, type TenantView } from './adapter.ts';

/** An answer: the status and the parsed JSON body (undefined when there is none). */
export interface Answer {
  status: number;
  body: unknown;
}

/** Whether a value is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 409's outcome: the contract's `rejected:requirements`. */
export function refusal(answer: Answer, request: string): string {
  if (isObject(answer.body) && answer.body.error === 'rejected:requirements') return 'rejected:requirements';
  throw new ContractError(`answered 409 without "error": "rejected:requirements": ${JSON.stringify(answer.body)?.slice(0, 200)}`, request);
}

export function appView(value: unknown, request: string): AppView & { clientId: string; clientSecret: string } {
  if (
    !isObject(value) ||
    typeof value.name !== 'string' ||
    typeof value.clientId !== 'string' ||
    typeof value.clientSecret !== 'string' ||
    typeof value.certified !== 'boolean' ||
    typeof value.custom !== 'boolean' ||
    (value.auth !== 'oauth2' && value.auth !== 'oauth1')
  )
    throw new ContractError(
      `expected an app {name, clientId, clientSecret, certified, tier, custom, auth, registered}, got ${JSON.stringify(value)?.slice(0, 200)}`,
      request,
    );
  return {
    name: value.name,
    clientId: value.clientId,
    clientSecret: value.clientSecret,
    certified: value.certified,
    tier: (value.tier ?? null) as Tier | null,
    custom: value.custom,
    auth: value.auth,
    registered: (value.registered ?? null) as string | null,
  };
}

export function tenantView(value: unknown, request: string): TenantView {
  if (!isObject(value) || typeof value.name !== 'string' || typeof value.tenantId !== 'string' || typeof value.kind !== 'string')
    throw new ContractError(`expected a tenant {name, tenantId, tenantType, kind}, got ${JSON.stringify(value)?.slice(0, 200)}`, request);
  return { name: value.name, tenantId: value.tenantId, tenantType: String(value.tenantType), kind: value.kind as TenantKind };
}

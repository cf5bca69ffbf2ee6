// Routers are looked up by name (tutel style); every config is checked against the router's
// JSON schema (draft 2020-12) with defaults filled in, and unknown options are an error. Each
// registered router also describes its cost and what it needs from the layer (`describe`, see
// cost.ts), so no other package interprets router names.
import { checkSchema } from '@switchyard/runtime';
import type { Router, RouterInit } from './types.js';
import type { DescribeDims, RouterDescription } from './cost.js';
import { closestNames } from './did-you-mean.js';

export interface RouterDefinition {
  type: string;
  /** Paper and arXiv id, for listings. */
  paper: string;
  /** Properties of the options (without `type`), each with a default where one exists. */
  properties: Record<string, unknown>;
  create(options: Record<string, unknown>, init: RouterInit): Router;
  /** Cost and needs of the router with these resolved options (defaults filled) in a layer of `dims`. */
  describe(options: Record<string, unknown>, dims: DescribeDims): RouterDescription;
}

/** A router config as pipelines and config.json files carry it: `{ type, ...options }`. */
export interface RouterConfig { type: string; [option: string]: unknown }

/** A router config the registry could not accept (unknown type or invalid options). */
export class RouterConfigError extends Error {}

const definitions = new Map<string, RouterDefinition>();
const schemas = new Map<string, Record<string, unknown>>();

export function registerRouter(def: RouterDefinition): void {
  if (definitions.has(def.type)) throw new Error(`router type "${def.type}" is already registered`);
  definitions.set(def.type, def);
}

/** `where` (a file, a config path) prefixes the message. */
function definition(type: string, where?: string): RouterDefinition {
  const def = definitions.get(type);
  if (!def) {
    const known = routerTypes();
    const near = closestNames(String(type), known)[0];
    throw new RouterConfigError(`${where ? `${where}: ` : ''}unknown router type ${JSON.stringify(type)}; allowed values: ${known.join(', ')}${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`);
  }
  return def;
}


/** Registered router names, sorted. */
export function routerTypes(): string[] { return [...definitions.keys()].sort(); }

/** The JSON schema (2020-12) of a router config `{ type, ...options }`. */
export function routerOptionsSchema(type: string): Record<string, unknown> {
  const def = definition(type);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `switchyard:router:${type}`,
    title: `${type} router options`,
    description: def.paper,
    type: 'object',
    properties: { type: { const: type }, ...structuredClone(def.properties) },
    required: ['type'],
    additionalProperties: false,
  };
}

/**
 * The router's options with defaults filled in (without `type`), after checking them against its
 * schema. `where` (e.g. the file the config came from) prefixes errors.
 */
export function resolveRouterOptions(config: RouterConfig, where?: string): Record<string, unknown> {
  const def = definition(config.type, where);
  let schema = schemas.get(def.type);
  if (!schema) { schema = routerOptionsSchema(def.type); schemas.set(def.type, schema); }
  const resolved = structuredClone(config) as Record<string, unknown>;
  const problems = checkSchema(schema, resolved);
  if (problems.length > 0) throw new RouterConfigError(`${where ? `${where}: ` : ''}invalid options for router "${def.type}": ${problems.join('; ')}`);
  delete resolved.type;
  return resolved;
}

/**
 * The JSON schema of a router config `{ type, ...options }` for any registered type (as embedded
 * in stage configs): `type` must be a registered name, the options are checked against that
 * type's schema. Built from the types registered when it is called.
 */
export function routerConfigSchema(): Record<string, unknown> {
  const strip = (s: Record<string, unknown>) => { const { $schema: _s, $id: _i, ...rest } = s; return rest; };
  return {
    type: 'object', required: ['type'],
    description: 'Router config: { type, ...options } of @switchyard/routers.',
    properties: { type: { enum: routerTypes() } },
    allOf: routerTypes().map((t) => ({ if: { properties: { type: { const: t } } }, then: strip(routerOptionsSchema(t)) })),
  };
}

/** Validates the config (filling defaults) and builds the router. */
export function createRouter(config: RouterConfig, init: RouterInit): Router {
  const resolved = resolveRouterOptions(config);
  if (!(init.numExperts >= 1) || !(init.dModel >= 1)) throw new Error('RouterInit needs dModel >= 1 and numExperts >= 1');
  // Experts chosen per token cannot exceed the experts there are (checked here for every router).
  for (const option of ['topK', 'evalK']) {
    const k = resolved[option];
    if (typeof k === 'number' && k > init.numExperts) {
      throw new Error(`router "${config.type}": option ${option} is ${k}, but the model has ${init.numExperts} expert${init.numExperts === 1 ? '' : 's'} (num_experts); ${option} must be at most ${init.numExperts}`);
    }
  }
  return definition(config.type).create(resolved, init);
}

/** The router's own cost description and needs (cost.ts) for a layer of `dims`. */
export function describeRouter(config: RouterConfig, dims: DescribeDims, where?: string): RouterDescription {
  const resolved = resolveRouterOptions(config, where);
  if (!(dims.numExperts >= 1) || !(dims.dModel >= 1)) throw new Error('describeRouter needs dModel >= 1 and numExperts >= 1');
  return definition(config.type).describe(resolved, dims);
}

// Routers are looked up by name (tutel style); every config is checked against the router's
// JSON schema (draft 2020-12) with defaults filled in, and unknown options are an error.
import { checkSchema, didYouMean } from '@switchyard/runtime';
import type { Router, RouterInit } from './types.js';

export interface RouterDefinition {
  type: string;
  /** Paper and arXiv id, for listings. */
  paper: string;
  /** Properties of the options (without `type`), each with a default where one exists. */
  properties: Record<string, unknown>;
  create(options: Record<string, unknown>, init: RouterInit): Router;
}

const definitions = new Map<string, RouterDefinition>();
const schemas = new Map<string, Record<string, unknown>>();

export function registerRouter(def: RouterDefinition): void {
  if (definitions.has(def.type)) throw new Error(`router type "${def.type}" is already registered`);
  definitions.set(def.type, def);
}

function definition(type: string): RouterDefinition {
  const def = definitions.get(type);
  if (!def) {
    const near = didYouMean(type, routerTypes());
    throw new Error(`unknown router type ${JSON.stringify(type)}; allowed values: ${routerTypes().join(', ')}${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`);
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

/** Validates the config (filling defaults) and builds the router. */
export function createRouter(config: { type: string; [key: string]: unknown }, init: RouterInit): Router {
  const def = definition(config.type);
  let schema = schemas.get(def.type);
  if (!schema) { schema = routerOptionsSchema(def.type); schemas.set(def.type, schema); }
  const resolved = structuredClone(config) as Record<string, unknown>;
  const problems = checkSchema(schema, resolved);
  if (problems.length > 0) throw new Error(`invalid options for router "${def.type}": ${problems.join('; ')}`);
  delete resolved.type;
  if (!(init.numExperts >= 1) || !(init.dModel >= 1)) throw new Error('RouterInit needs dModel >= 1 and numExperts >= 1');
  // The one model-dependent constraint every top-k router shares (the Nx plugin checks it before
  // a pipeline runs when the model is known; this catches every other caller).
  if (typeof resolved.topK === 'number' && resolved.topK > init.numExperts) {
    throw new Error(`invalid options for router "${def.type}": /topK: ${resolved.topK} is more than the model's ${init.numExperts} experts; allowed values: 1 … ${init.numExperts}`);
  }
  return def.create(resolved, init);
}

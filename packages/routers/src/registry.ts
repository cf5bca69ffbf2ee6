// Routers are looked up by name (tutel style); every config is checked against the router's
// JSON schema (draft 2020-12) with defaults filled in, and unknown options are an error.
import Ajv2020Module from 'ajv/dist/2020.js';
import type { Router, RouterInit } from './types.js';

export interface RouterDefinition {
  type: string;
  /** Paper and arXiv id, for listings. */
  paper: string;
  /** Properties of the options (without `type`), each with a default where one exists. */
  properties: Record<string, unknown>;
  create(options: Record<string, unknown>, init: RouterInit): Router;
}

// ajv ships CommonJS; under NodeNext the default import is the module object.
type AjvCtor = new (opts: Record<string, unknown>) => {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: { instancePath: string; message?: string; params?: unknown }[] | null };
};
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as unknown as AjvCtor;
const ajv = new Ajv2020({ useDefaults: true, allErrors: true, strict: true });

const definitions = new Map<string, RouterDefinition>();
const validators = new Map<string, ReturnType<typeof ajv.compile>>();

export function registerRouter(def: RouterDefinition): void {
  if (definitions.has(def.type)) throw new Error(`router type "${def.type}" is already registered`);
  definitions.set(def.type, def);
}

function definition(type: string): RouterDefinition {
  const def = definitions.get(type);
  if (!def) throw new Error(`unknown router type "${type}"; known: ${routerTypes().join(', ')}`);
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
  let validate = validators.get(def.type);
  if (!validate) { validate = ajv.compile(routerOptionsSchema(def.type)); validators.set(def.type, validate); }
  const resolved = structuredClone(config) as Record<string, unknown>;
  if (!validate(resolved)) {
    const msg = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params ?? {})}`).join('; ');
    throw new Error(`invalid options for router "${def.type}": ${msg}`);
  }
  delete resolved.type;
  if (!(init.numExperts >= 1) || !(init.dModel >= 1)) throw new Error('RouterInit needs dModel >= 1 and numExperts >= 1');
  // Experts chosen per token cannot exceed the experts there are (checked here for every router).
  for (const option of ['topK', 'evalK']) {
    const k = resolved[option];
    if (typeof k === 'number' && k > init.numExperts) {
      throw new Error(`router "${def.type}": option ${option} is ${k}, but the model has ${init.numExperts} expert${init.numExperts === 1 ? '' : 's'} (num_experts); ${option} must be at most ${init.numExperts}`);
    }
  }
  return def.create(resolved, init);
}

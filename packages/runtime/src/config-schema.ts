// One declaration per config: a TypeBox declaration is both the JSON Schema (2020-12) the
// validator checks and, through `Static`, the TypeScript type of the *resolved* config (the one
// a stage receives, defaults filled in). Properties with a `default` are therefore declared as
// present (not Optional) and `ConfigObject` drops them from `required`: the input may omit them,
// the resolved value always has them.
import { Type, type ObjectOptions, type SchemaOptions, type Static, type TObject, type TProperties, type TSchema, type TUnsafe } from '@sinclair/typebox';

export { Type };
export type { Static, TSchema };

/** An object config: unknown keys rejected; keys with a default are optional in the input. */
export function ConfigObject<P extends TProperties>(properties: P, options: ObjectOptions = {}): TObject<P> {
  const schema = Type.Object(properties, { additionalProperties: false, ...options });
  const plain = schema as { required?: string[] };
  const required = (plain.required ?? []).filter((k) => (properties[k] as { default?: unknown }).default === undefined);
  if (required.length > 0) plain.required = required;
  else delete plain.required;
  return schema;
}

/** A string out of a fixed list, as a JSON Schema `enum` (so errors list the allowed values and a did-you-mean). */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** Plain JSON Schema of a declaration (TypeBox's symbol-keyed metadata dropped), e.g. for committed schema files. */
export function jsonSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

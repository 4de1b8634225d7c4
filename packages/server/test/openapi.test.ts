import { beforeAll, describe, expect, it } from "vitest";
import { openapiDocument, type Document, type Schema } from "./openapi-document.js";

/** Every property (at any depth, through arrays, maps and unions) of `schema` that has no description. */
function undescribed(schema: Schema, at: string): string[] {
  const missing: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!property.description) missing.push(`${at}.${name}`);
    missing.push(...undescribed(property, `${at}.${name}`));
  }
  if (typeof schema.additionalProperties === "object")
    missing.push(...undescribed(schema.additionalProperties, `${at}{}`));
  if (schema.items) missing.push(...undescribed(schema.items, `${at}[]`));
  for (const key of ["anyOf", "oneOf", "allOf"] as const)
    schema[key]?.forEach((member, i) => missing.push(...undescribed(member, `${at}|${key}${i}`)));
  return missing;
}

/** Every `$ref` in `value`, and every `type` keyword OpenAPI 3.0 does not have (it has no "null", no lists). */
function walk(value: unknown, refs: string[], badTypes: string[], at = ""): void {
  if (Array.isArray(value)) return value.forEach((v, i) => walk(v, refs, badTypes, `${at}[${i}]`));
  if (typeof value !== "object" || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if (key === "$ref" && typeof v === "string") refs.push(v);
    if (key === "type" && !(typeof v === "string" && v !== "null")) badTypes.push(`${at}.type: ${JSON.stringify(v)}`);
    // Under `properties` the keys are field names (a field may be called "type"), not keywords.
    if (key === "properties" && typeof v === "object" && v !== null)
      for (const [name, field] of Object.entries(v)) walk(field, refs, badTypes, `${at}.properties.${name}`);
    else walk(v, refs, badTypes, `${at}.${key}`);
  }
}

describe("the OpenAPI document", () => {
  let document: Document;
  beforeAll(async () => {
    document = await openapiDocument();
  });

  it("is OpenAPI 3.0 whose every $ref names a schema it defines", () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    const refs: string[] = [];
    const badTypes: string[] = [];
    walk(document, refs, badTypes);
    expect(badTypes).toEqual([]);
    expect(refs.length).toBeGreaterThan(0);
    const defined = Object.keys(document.components?.schemas ?? {});
    const dangling = refs.filter((ref) => !defined.includes(ref.replace("#/components/schemas/", "")));
    expect([...new Set(dangling)]).toEqual([]);
  });

  it("describes every parameter and every field of every request and response", () => {
    // A schema many routes share (the error body) lists its missing fields once, at its first route.
    const missing = new Map<string, string>();
    const check = (schema: Schema, at: string) => {
      for (const field of undescribed(schema, "")) missing.set(`${JSON.stringify(schema)} ${field}`, `${at}${field}`);
    };
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods)) {
        const at = `${method.toUpperCase()} ${path}`;
        for (const p of operation.parameters ?? []) {
          if (!p.description) missing.set(`${at} ${p.in} ${p.name}`, `${at} ${p.in} parameter ${p.name}`);
          check(p.schema, `${at} ${p.in} parameter ${p.name}`);
        }
        for (const [type, media] of Object.entries(operation.requestBody?.content ?? {}))
          check(media.schema, `${at} body (${type}) `);
        for (const [status, response] of Object.entries(operation.responses))
          for (const [type, media] of Object.entries(response.content ?? {}))
            check(media.schema, `${at} ${status} (${type}) `);
      }
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
      check(schema, `components.schemas.${name}`);
    expect([...missing.values()]).toEqual([]);
  });
});

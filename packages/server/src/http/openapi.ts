import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { createJsonSchemaTransformObject, jsonSchemaTransform } from "fastify-type-provider-zod";

/**
 * How @fastify/swagger turns the routes' zod schemas into the OpenAPI document. Recursive schemas
 * (criteria checks and matchers, check results) cannot be inlined: they carry an id and each route
 * refers to `#/components/schemas/<id>`, which `transformObject` fills from zod's registry (as
 * OpenAPI 3.0 like the rest; its default would be JSON Schema 2020-12).
 */
export const openapiTransforms: Pick<FastifyDynamicSwaggerOptions, "transform" | "transformObject"> = {
  transform: jsonSchemaTransform,
  transformObject: createJsonSchemaTransformObject({ zodToJsonConfig: { target: "openapi-3.0" } }),
};

import fastifySwagger from "@fastify/swagger";
import Fastify from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { openapiTransforms } from "../src/http/openapi.js";
import { registerApiRoutes } from "../src/http/routes/index.js";

/** The parts of an OpenAPI 3.0 document the tests read. */
export interface Schema {
  type?: string;
  enum?: unknown[];
  required?: string[];
  description?: string;
  $ref?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
}
export interface Parameter {
  name: string;
  in: string;
  description?: string;
  schema: Schema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
export interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

/**
 * The document the server serves, built from the same route plugins on a bare Fastify app: routes only
 * call their services when a request comes, so none is needed to describe them.
 */
export async function openapiDocument(): Promise<Document> {
  const app = Fastify().withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifySwagger, {
    openapi: { info: { title: "Terrarium API", version: "test" } },
    ...openapiTransforms,
  });
  const none = {} as never;
  await registerApiRoutes(app, {
    health: () => Promise.reject(new Error("this app answers no request")),
    sessions: none,
    evaluation: none,
    tasks: none,
    artifacts: none,
    catalog: none,
    runtime: none,
    proxy: none,
  });
  await app.ready();
  const document = app.swagger() as unknown as Document;
  await app.close();
  return document;
}

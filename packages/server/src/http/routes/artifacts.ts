import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { ArtifactDetails, ArtifactIdParams, ArtifactList, OutcomeResponse } from "@terrarium/wire";
import type { ArtifactService } from "../../services/artifacts.js";
import { errors } from "./operations.js";

const tags = ["artifacts"];

/** `/api/v2/artifacts`: snapshots of environments, with their lineage. */
export const artifactRoutes =
  (artifacts: ArtifactService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/",
      { schema: { tags, summary: "Artifacts, newest first", response: { 200: ArtifactList, ...errors } } },
      async () => ({ artifacts: artifacts.list() }),
    );
    app.get(
      "/:artifact_id",
      {
        schema: {
          tags,
          summary: "One artifact, with its ancestors (lineage) and children",
          params: ArtifactIdParams,
          response: { 200: ArtifactDetails, ...errors },
        },
      },
      async (request) => artifacts.details(request.params.artifact_id),
    );
    app.delete(
      "/:artifact_id",
      {
        schema: {
          tags,
          summary: "Remove an artifact (its image or archive) unless an open environment started from it",
          params: ArtifactIdParams,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => {
        await artifacts.remove(request.params.artifact_id);
        return { results: { [request.params.artifact_id]: { success: true } } };
      },
    );
  };

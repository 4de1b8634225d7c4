import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  ArtifactDetails,
  ArtifactIdParams,
  ArtifactList,
  ArtifactListQuery,
  OutcomeResponse,
  RemoveArtifactQuery,
} from "@terrarium/wire";
import type { ArtifactService } from "../../services/artifacts.js";
import { errors } from "./operations.js";

const tags = ["artifacts"];

/** `/api/v2/artifacts`: snapshots of environments, with their lineage. */
export const artifactRoutes =
  (artifacts: ArtifactService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      "/",
      {
        schema: {
          tags,
          summary: "Artifacts, newest first: the snapshots users made (`?role=ready` or `all` for the server's own)",
          querystring: ArtifactListQuery,
          response: { 200: ArtifactList, ...errors },
        },
      },
      async (request) => ({ artifacts: artifacts.list(request.query.role) }),
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
          summary:
            "Remove an artifact (its image or archive, and the version published from it) unless something still needs it; a ready artifact needs `?force=true`",
          params: ArtifactIdParams,
          querystring: RemoveArtifactQuery,
          response: { 200: OutcomeResponse, ...errors },
        },
      },
      async (request) => {
        await artifacts.remove(request.params.artifact_id, { force: request.query.force });
        return { results: { [request.params.artifact_id]: { success: true } } };
      },
    );
  };

# syntax=docker/dockerfile:1
# One production image for api, worker and rekognition-local; the command names the entry point:
#   docker run IMAGE apps/api/src/main.ts | apps/worker/src/main.ts | apps/rekognition-local/src/main.ts
# Node 24 runs the TypeScript sources itself (no tsx, no build step): the workspace packages stay where they are
# (symlinked from node_modules, so their real paths are outside node_modules, where Node may strip types).
# deploy/test/production-install.test.ts replays the install step below and starts each entry point with the
# ENTRYPOINT below, as a non-root user.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# Keep in step with "packageManager" in package.json (corepack's signature check is unreliable; npm works).
RUN npm install -g pnpm@10.34.9
# The pnpm store lives in a build cache mount, shared by builds and never part of a layer.
ENV npm_config_store_dir=/pnpm-store
# Downloads by lockfile alone, so this layer is rebuilt only when the lockfile changes.
COPY pnpm-lock.yaml pnpm-workspace.yaml .pnpmfile.cjs ./
RUN --mount=type=cache,id=faceindex-pnpm,target=/pnpm-store pnpm fetch --prod
COPY . .
# Production dependencies of the three apps only (--filter-prod ignores devDependencies when following
# workspace links, so test helpers, the local S3 and their dependencies stay out).
RUN --mount=type=cache,id=faceindex-pnpm,target=/pnpm-store \
    pnpm install --offline --prod --frozen-lockfile \
      --filter-prod "@faceindex/api..." --filter-prod "@faceindex/worker..." --filter-prod "@faceindex/rekognition-local..."

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the app user: a compromised process cannot rewrite the code it runs.
COPY --from=build /app /app
# rekognition-local keeps collections here (REKOGNITION_DATA_DIR); a volume mounts over it.
RUN mkdir -p /data/rekognition && chown -R 1000:1000 /data
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it is not root.
USER 1000:1000
# Node 24 strips the TypeScript types itself (tsconfig sets erasableSyntaxOnly, so nothing needs transforming).
ENTRYPOINT ["node"]
CMD ["apps/api/src/main.ts"]

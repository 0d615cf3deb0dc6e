# One image for every faceindex app; docker-compose.yml picks the app with the command.
FROM node:24-bookworm-slim
WORKDIR /app
# Keep in step with "packageManager" in package.json (corepack's signature check is unreliable; npm works).
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml tsconfig.base.json ./
COPY apps ./apps
COPY packages ./packages
RUN pnpm install --frozen-lockfile --prod=false
ENV NODE_ENV=production
# The local Rekognition server's data volume mounts here; it must belong to the user the apps run as.
RUN mkdir -p /home/node/rekognition && chown node:node /home/node/rekognition
USER node
CMD ["node", "--import", "tsx", "apps/api/src/main.ts"]

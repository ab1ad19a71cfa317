# The tierwise image: the one-file bundle (scripts/build.mjs) on Node 20, for linux/amd64, linux/arm64 and
# linux/arm/v7 (docs/deploy.md):
#   docker buildx build --platform linux/amd64,linux/arm64,linux/arm/v7 -t registry.lan:5000/tierwise:0.1.0 --push .
# The bundle is plain JavaScript, so it is built once on the build machine's own platform and copied into
# each target platform's image: no emulation of the target is needed for the build.

FROM --platform=$BUILDPLATFORM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied in.
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="tierwise" \
      org.opencontainers.image.description="Monitoring and cost/placement observability for mixed-tier homelabs" \
      org.opencontainers.image.licenses="Apache-2.0"
# The placement solver's WebAssembly sits beside the bundle, where the bundle looks for it.
COPY --from=build /src/dist/tierwise.mjs /src/dist/highs.wasm /src/dist/tierwise.mjs.LEGAL.txt /opt/tierwise/
# A fixed, unprivileged uid the manifests and compose file name (no RUN here, so a target platform's image
# needs no emulation to build); the agent alone runs as root, where it reads RAPL (docs/deploy.md).
USER 10001:10001
EXPOSE 10090 10091 10092
ENTRYPOINT ["node", "/opt/tierwise/tierwise.mjs"]
CMD ["--help"]

# Outreach server image. The build stage runs the same commands as
# packages/server/test/package.test.ts: build the bundle, `npm pack` it, `npm install` the
# tarball into an empty folder. The image holds that folder and nothing of the checkout.
#   docker build -t outreach .
#   docker run -p 8080:8080 -v outreach-data:/data outreach

FROM node:20-slim AS build
WORKDIR /src
RUN npm install -g pnpm@12
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm --filter @outreach/server build \
 && mkdir /pack && npm pack packages/server/dist --pack-destination /pack

FROM node:20-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    OUTREACH_DATA_DIR=/data
RUN groupadd --system outreach && useradd --system --gid outreach --home-dir /app outreach \
 && mkdir -p /app /data && chown outreach:outreach /app /data
WORKDIR /app
COPY --from=build /pack/ /tmp/pack/
RUN echo '{"private":true}' > package.json \
 && npm install --omit=dev --no-audit --no-fund /tmp/pack/*.tgz \
 && rm -rf /tmp/pack /root/.npm
USER outreach
VOLUME /data
EXPOSE 8080
# 503 when the database, the migrations or the worker's loops are not right (see /ready).
# A `work` container answers on OUTREACH_WORKER_PORT (set it), the others on PORT.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "const p=process.env.OUTREACH_WORKER_PORT||process.env.PORT||8080;fetch('http://127.0.0.1:'+p+'/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The bin itself is PID 1, so `docker stop` (SIGTERM) reaches it and sends in flight finish;
# `npx outreach start` would not pass the signal on. Give it the grace to drain:
# `docker stop -t 30` / compose `stop_grace_period: 30s`.
ENTRYPOINT ["/app/node_modules/.bin/outreach"]
CMD ["start"]

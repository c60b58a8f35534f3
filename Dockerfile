# syntax=docker/dockerfile:1
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 -t bosun .
# The build stage runs on the builder's platform and cross-compiles with `deno compile
# --target`; the runtime stage is distroless (glibc, no shell).
ARG DENO_VERSION=2.9.6

FROM --platform=$BUILDPLATFORM denoland/deno:${DENO_VERSION} AS build
ARG TARGETARCH
WORKDIR /src
COPY deno.json deno.lock* ./
COPY . .
RUN deno install && deno task build && \
    case "$TARGETARCH" in \
      arm64) deno task compile:aarch64 && mv dist/bosun-aarch64 /bosun ;; \
      *) deno task compile:x86_64 && mv dist/bosun-x86_64 /bosun ;; \
    esac && mkdir -p /data-empty

FROM gcr.io/distroless/cc-debian12
COPY --from=build /bosun /usr/local/bin/bosun
COPY --from=build /data-empty /data
ENV BOSUN_DATA_DIR=/data \
    BOSUN_LISTEN=0.0.0.0 \
    BOSUN_PORT=8420
VOLUME ["/data"]
EXPOSE 8420
# Mount the engine: -v /var/run/docker.sock:/var/run/docker.sock
ENTRYPOINT ["/usr/local/bin/bosun"]

/**
 * `/api/networks`: list with subnets and users, sizing recommendation from the hardware
 * profile, create (overlap refused, oversize acknowledged), remove (refused while used),
 * prune, dismiss the oversized warning, recreate smaller, reservations, next free address,
 * IP map, connect and disconnect. Every change is audited.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { DatabaseSync } from "node:sqlite";
import type { DockerClient } from "../lib/docker/client.ts";
import {
  disconnectNetwork,
  inspectNetwork,
  listNetworks,
  pruneNetworks,
} from "../lib/docker/networks.ts";
import type { HardwareProfileService } from "../lib/host/hardware.ts";
import { findFreeSubnet, formatCidr, recommendPrefix } from "../lib/networks/ipam.ts";
import {
  addReservation,
  addressMap,
  connectContainer,
  createPlannedNetwork,
  deleteReservation,
  dismissOversized,
  forgetNetwork,
  listNetworkViews,
  listReservations,
  nextAddress,
  recreateSmaller,
  removeUnusedNetwork,
  takenSubnets,
} from "../lib/networks/networks.ts";
import { ContainerRefSchema } from "../lib/shared/containers.ts";
import { audited } from "./_audit.ts";
import { cli, networkConnect, networkCreate, networkDisconnect } from "../lib/cli/cli.ts";
import type { AppEnv } from "./_env.ts";
import { Any, body, createRouter, json } from "./_openapi.ts";
import { PROBLEM_RESPONSES } from "./_problem.ts";

const NetworkRef = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a network name or id");
const Param = z.object({ network: NetworkRef });
const Ipv4 = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, "an IPv4 address");
const Sizing = z.object({
  containers: z.coerce.number().int().min(1).max(65_000).optional(),
  ipsPerContainer: z.coerce.number().int().min(1).max(16).default(1),
  buffer: z.coerce.number().min(0).max(4).default(0.25),
});

/** Builds the networks router. */
export function createNetworkRoutes(
  deps: { docker: DockerClient; db: DatabaseSync; hardware: HardwareProfileService },
): OpenAPIHono<AppEnv> {
  const app = createRouter();
  const hardware = () => deps.hardware.get();
  /** Containers to plan for when not told: the budget, at most 50 (an unlimited host: 50). */
  const plannedFor = async (n?: number) => n ?? Math.min((await hardware()).budget ?? 50, 50);

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["networks"],
      summary:
        "Networks with driver, scope, subnet, gateway and their containers (running and stopped)",
      responses: { 200: json(z.array(Any), "Networks"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const list = await listNetworkViews(deps.docker, deps.db, { signal: c.req.raw.signal });
      return c.json(list as unknown as Record<string, unknown>[], 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/sizing",
      tags: ["networks"],
      summary:
        "The hardware profile, the recommended prefix for a container count, the table of sizes and a free subnet",
      request: { query: Sizing.strict() },
      responses: { 200: json(Any, "The recommendation"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const hw = await hardware();
      const containers = await plannedFor(q.containers);
      const rec = recommendPrefix(containers, q.ipsPerContainer, q.buffer);
      const taken = (await takenSubnets(deps.docker)).map((t) => t.cidr);
      return c.json({
        profile: hw.profile,
        budget: hw.budget,
        cores: hw.facts.cores,
        memoryBytes: hw.facts.memoryBytes,
        piHint: hw.facts.piHint ?? null,
        containers,
        ...rec,
        suggestedSubnet: formatCidr(findFreeSubnet(rec.prefix, taken)),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags: ["networks"],
      summary:
        "Create a network sized for its containers (overlaps refused; larger than recommended only when acknowledged)",
      request: body(
        z.object({
          name: NetworkRef,
          driver: z.enum(["bridge", "macvlan", "ipvlan"]).default("bridge"),
          subnet: z.string().max(32).optional(),
          gateway: Ipv4.optional(),
          containers: z.number().int().min(1).max(65_000).optional(),
          ipsPerContainer: z.number().int().min(1).max(16).default(1),
          buffer: z.number().min(0).max(4).default(0.25),
          acknowledgeOversize: z.boolean().default(false),
          internal: z.boolean().default(false),
          labels: z.record(z.string().max(255), z.string().max(1024)).default({}),
          parent: z.string().regex(/^[a-zA-Z0-9_.:-]{1,15}$/).optional(),
        }).strict(),
      ),
      responses: { 201: json(Any, "Created"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const containers = await plannedFor(input.containers);
      const created = await audited(
        c,
        deps.db,
        { action: "network.create", target: input.name },
        () => createPlannedNetwork(deps.docker, deps.db, { ...input, containers }),
        (r) => ({
          subnet: r.subnet,
          oversized: r.oversized,
          recommendedPrefix: r.recommendedPrefix,
        }),
      );
      return c.json({
        ...created,
        cli: networkCreate(input.name, { ...input, subnet: created.subnet }),
      }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{network}",
      tags: ["networks"],
      summary: "Remove a network (refused while any container, running or stopped, uses it)",
      request: { params: Param },
      responses: { 200: json(Any, "Removed, with the docker command"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "network.remove", target: network },
        () => removeUnusedNetwork(deps.docker, deps.db, network),
      );
      return c.json({ cli: cli.networkRemove(network) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/prune",
      tags: ["networks"],
      summary: 'Remove every network no container uses (confirm must be "prune networks")',
      request: body(z.object({ confirm: z.literal("prune networks") }).strict()),
      responses: { 200: json(Any, "What went"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const before = new Map((await listNetworks(deps.docker)).map((n) => [n.name, n.id]));
      const deleted = await audited(
        c,
        deps.db,
        { action: "network.prune", target: "unused" },
        () => pruneNetworks(deps.docker),
        (d) => ({ deleted: d }),
      );
      for (const name of deleted) {
        const id = before.get(name);
        if (id) forgetNetwork(deps.db, id);
      }
      return c.json({ deleted, cli: cli.networkPrune() }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{network}/dismiss",
      tags: ["networks"],
      summary: "Hide the oversized warning for 7 days, 30 days or for good",
      request: {
        params: Param,
        ...body(z.object({ for: z.enum(["7d", "30d", "forever"]) }).strict()),
      },
      responses: { 204: { description: "Dismissed" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "network.dismiss-oversized", target: network },
        () => dismissOversized(deps.docker, deps.db, network, c.req.valid("json").for),
        { for: c.req.valid("json").for },
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{network}/recreate-smaller",
      tags: ["networks"],
      summary:
        "Recreate an oversized network at its recommended size, moving its containers (addresses kept where they fit)",
      request: { params: Param },
      responses: { 200: json(Any, "The new network"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      const r = await audited(
        c,
        deps.db,
        { action: "network.recreate-smaller", target: network },
        () => recreateSmaller(deps.docker, deps.db, network),
        (r) => ({ subnet: r.subnet, moved: r.moved.length }),
      );
      return c.json(r, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{network}/reservations",
      tags: ["networks"],
      summary: "The network's named address ranges",
      request: { params: Param },
      responses: { 200: json(z.array(Any), "Reservations"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const n = await inspectNetwork(deps.docker, c.req.valid("param").network);
      return c.json(
        listReservations(deps.db, n.id) as unknown as Record<string, unknown>[],
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{network}/reservations",
      tags: ["networks"],
      summary: "Reserve a named, coloured range inside the subnet",
      request: {
        params: Param,
        ...body(
          z.object({
            name: z.string().trim().min(1).max(64),
            color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "a colour like #3366ff").default(
              "#2f81f7",
            ),
            start: Ipv4,
            end: Ipv4,
          }).strict(),
        ),
      },
      responses: { 201: json(Any, "The reservation"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      const input = c.req.valid("json");
      const r = await audited(
        c,
        deps.db,
        { action: "network.reservation.add", target: network },
        () => addReservation(deps.docker, deps.db, network, input),
        input,
      );
      return c.json(r as unknown as Record<string, unknown>, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{network}/reservations/{id}",
      tags: ["networks"],
      summary: "Remove a reservation",
      request: { params: Param.extend({ id: z.coerce.number().int().min(1) }) },
      responses: { 204: { description: "Removed" }, ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network, id } = c.req.valid("param");
      await audited(
        c,
        deps.db,
        { action: "network.reservation.remove", target: network },
        () => deleteReservation(deps.docker, deps.db, network, id),
        { id },
      );
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{network}/next-ip",
      tags: ["networks"],
      summary: "The next free address outside reservations (or inside ?reservation=)",
      request: {
        params: Param,
        query: z.object({ reservation: z.coerce.number().int().min(1).optional() }).strict(),
      },
      responses: { 200: json(Any, "The address"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const ip = await nextAddress(
        deps.docker,
        deps.db,
        c.req.valid("param").network,
        c.req.valid("query").reservation,
      );
      return c.json({ ip }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{network}/ipmap",
      tags: ["networks"],
      summary: "Every address of the subnet (up to /22): network, gateway, used, reserved or free",
      request: { params: Param },
      responses: { 200: json(Any, "The map"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const map = await addressMap(deps.docker, deps.db, c.req.valid("param").network);
      return c.json(map as unknown as Record<string, unknown>, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{network}/connect",
      tags: ["networks"],
      summary:
        "Connect a container: a static ip, auto (next free), or the next free inside a reservation",
      request: {
        params: Param,
        ...body(
          z.object({
            container: ContainerRefSchema,
            ip: Ipv4.optional(),
            auto: z.boolean().default(false),
            reservation: z.number().int().min(1).optional(),
            aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/)).max(16)
              .optional(),
          }).strict(),
        ),
      },
      responses: { 200: json(Any, "Connected"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      const input = c.req.valid("json");
      const r = await audited(
        c,
        deps.db,
        { action: "network.connect", target: network },
        () => connectContainer(deps.docker, deps.db, network, input),
        (r) => ({ container: input.container, ip: r.ip }),
      );
      return c.json({
        container: input.container,
        ...r,
        cli: networkConnect(network, input.container, r.ip ?? undefined, input.aliases ?? []),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{network}/disconnect",
      tags: ["networks"],
      summary: "Disconnect a container",
      request: {
        params: Param,
        ...body(
          z.object({ container: ContainerRefSchema, force: z.boolean().default(false) }).strict(),
        ),
      },
      responses: { 200: json(Any, "Disconnected, with the docker command"), ...PROBLEM_RESPONSES },
    }),
    async (c) => {
      const { network } = c.req.valid("param");
      const input = c.req.valid("json");
      await audited(
        c,
        deps.db,
        { action: "network.disconnect", target: network },
        () => disconnectNetwork(deps.docker, network, input.container, { force: input.force }),
        { container: input.container },
      );
      return c.json({ cli: networkDisconnect(network, input.container, input.force) }, 200);
    },
  );
  return app;
}

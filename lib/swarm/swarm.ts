/**
 * Swarm for users who run one: services (with their stack from
 * `com.docker.stack.namespace`), tasks and nodes when the engine is a manager; scale a
 * replicated service; remove a stack's services.
 */
import type { DockerClient } from "../docker/client.ts";
import {
  inspectService,
  listNodes,
  listServices,
  listTasks,
  removeService,
  type Service,
  type SwarmNode,
  swarmState,
  updateService,
} from "../docker/swarm.ts";
import { ConflictError, NotFoundError, ValidationError } from "../errors.ts";

/** The stack label `docker stack deploy` sets. */
export const STACK_NAMESPACE = "com.docker.stack.namespace";

/** A service as the page shows it. */
export interface ServiceView {
  id: string;
  name: string;
  image: string;
  stack: string | null;
  mode: "replicated" | "global";
  replicas: number | null;
  running: number;
}

/** The swarm as the page shows it. */
export interface SwarmOverview {
  state: string;
  manager: boolean;
  services: ServiceView[];
  stacks: { name: string; services: string[] }[];
  nodes: SwarmNode[];
}

function view(s: Service, running: number): ServiceView {
  const replicated = s.Spec.Mode?.Replicated;
  return {
    id: s.ID,
    name: s.Spec.Name,
    image: (s.Spec.TaskTemplate?.ContainerSpec?.Image ?? "").replace(/@sha256:[0-9a-f]+$/, ""),
    stack: s.Spec.Labels?.[STACK_NAMESPACE] ?? null,
    mode: s.Spec.Mode?.Global ? "global" : "replicated",
    replicas: replicated ? replicated.Replicas : null,
    running,
  };
}

/** Services, stacks and nodes (empty lists when this engine is not a swarm manager). */
export async function swarmOverview(
  docker: DockerClient,
  options: { signal?: AbortSignal } = {},
): Promise<SwarmOverview> {
  const state = await swarmState(docker, options);
  if (!state.manager) return { ...state, services: [], stacks: [], nodes: [] };
  const [services, tasks, nodes] = await Promise.all([
    listServices(docker, options),
    listTasks(docker, options),
    listNodes(docker, options),
  ]);
  const views = services.map((s) =>
    view(s, tasks.filter((t) => t.serviceId === s.ID && t.state === "running").length)
  ).sort((a, b) => a.name.localeCompare(b.name));
  const stacks = new Map<string, string[]>();
  for (const v of views) if (v.stack) stacks.set(v.stack, [...(stacks.get(v.stack) ?? []), v.name]);
  return {
    ...state,
    services: views,
    stacks: [...stacks].sort(([a], [b]) => a.localeCompare(b)).map(([name, s]) => ({
      name,
      services: s,
    })),
    nodes,
  };
}

async function manager(docker: DockerClient): Promise<void> {
  if (!(await swarmState(docker)).manager) {
    throw new ConflictError("This engine is not a swarm manager");
  }
}

/** The tasks of a service. */
export async function serviceTasks(docker: DockerClient, service: string) {
  await manager(docker);
  const s = await inspectService(docker, service);
  return await listTasks(docker, { service: s.ID });
}

/** Sets a replicated service's replica count. */
export async function scaleService(
  docker: DockerClient,
  service: string,
  replicas: number,
): Promise<ServiceView> {
  await manager(docker);
  const s = await inspectService(docker, service);
  if (!s.Spec.Mode?.Replicated) throw new ValidationError(`${s.Spec.Name} is a global service`);
  const spec = { ...s.Spec, Mode: { Replicated: { Replicas: replicas } } };
  await updateService(docker, s.ID, s.Version.Index, spec);
  return view({ ...s, Spec: spec } as Service, 0);
}

/** Removes every service of a stack; resolves with their names. */
export async function removeSwarmStack(docker: DockerClient, stack: string): Promise<string[]> {
  await manager(docker);
  const services = (await listServices(docker)).filter((s) =>
    s.Spec.Labels?.[STACK_NAMESPACE] === stack
  );
  if (!services.length) throw new NotFoundError(`No swarm stack "${stack}"`);
  for (const s of services) await removeService(docker, s.ID);
  return services.map((s) => s.Spec.Name);
}

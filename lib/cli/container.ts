/** The `docker run` of an existing container: its create request, minus what its image sets. */
import type { DockerClient } from "../docker/client.ts";
import { type ContainerInspect, inspectContainer } from "../docker/containers.ts";
import { inspectImage } from "../docker/images.ts";
import { inspectNetwork } from "../docker/networks.ts";
import { containerName } from "../containers/lifecycle.ts";
import { planCreate, rebaseOnImage } from "../containers/recreate.ts";
import { type CliMode, endpointsOf, runCommand } from "./cli.ts";

/** The create body that reproduces a container, without the values its image provides. */
export async function createBodyOf(
  docker: DockerClient,
  inspect: ContainerInspect,
): Promise<Record<string, unknown>> {
  const image = await inspectImage(docker, String((inspect as { Image?: string }).Image));
  const plan = planCreate(inspect, "1.44", {
    config: rebaseOnImage(inspect.Config as Record<string, unknown>, image?.config ?? {}),
  });
  const body = plan.body;
  for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
  return body;
}

/** `docker run` of a container, in a mode; the script creates its user-defined networks. */
export async function containerRunCommand(
  docker: DockerClient,
  ref: string,
  mode: CliMode,
): Promise<string> {
  const inspect = await inspectContainer(docker, ref);
  const body = await createBodyOf(docker, inspect);
  const endpoints = Object.keys(endpointsOf(body));
  const networks = [];
  if (mode === "advanced") {
    for (const n of endpoints) {
      const net = await inspectNetwork(docker, n).catch(() => undefined);
      const cfg = net?.ipam.config[0] as { Subnet?: string; Gateway?: string } | undefined;
      networks.push({ name: n, subnet: cfg?.Subnet, gateway: cfg?.Gateway });
    }
  }
  return runCommand(containerName(inspect), body, mode, networks);
}

/**
 * `docker run …` → a compose service. Understands the flags people paste from READMEs
 * (-d, --name, -p, -v, -e, --env-file, --network, --ip, --restart, -l, --user, -w,
 * --entrypoint, --cap-add/--cap-drop, -m, --cpus, --health-*, --add-host, --rm, -it) and
 * reports every other flag instead of dropping it silently.
 */
import { stringify } from "yaml";
import { ValidationError } from "../errors.ts";
import { shellWords } from "./compose.ts";

/** Flags that take a value, by their long name (short aliases map onto them). */
const VALUE_FLAGS = new Set([
  "name",
  "publish",
  "volume",
  "env",
  "env-file",
  "network",
  "ip",
  "restart",
  "label",
  "user",
  "workdir",
  "entrypoint",
  "cap-add",
  "cap-drop",
  "memory",
  "cpus",
  "health-cmd",
  "health-interval",
  "health-timeout",
  "health-retries",
  "health-start-period",
  "add-host",
  "hostname",
]);
const SHORT: Record<string, string> = {
  p: "publish",
  v: "volume",
  e: "env",
  l: "label",
  u: "user",
  w: "workdir",
  m: "memory",
  h: "hostname",
};
/** Flags without a value that change nothing in a compose file. */
const IGNORED = new Set(["detach", "d", "rm", "interactive", "i", "tty", "t", "it", "dit"]);

/** The compose text of one `docker run` command, and what could not be converted. */
export function convertRun(command: string): { yaml: string; service: string; warnings: string[] } {
  let words: string[];
  try {
    words = shellWords(command.replace(/\\\r?\n/g, " "));
  } catch (err) {
    throw new ValidationError((err as Error).message);
  }
  const take = (word: string): boolean => words[0] === word && (words.shift(), true);
  take("sudo");
  if (!take("docker")) throw new ValidationError("Paste a command that starts with docker run");
  take("container");
  if (!take("run")) throw new ValidationError("Only docker run commands are converted");
  const warnings: string[] = [];
  const values: Record<string, string[]> = {};
  let image: string | undefined;
  let i = 0;
  for (; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith("-") || w === "-") {
      image = w;
      i++;
      break;
    }
    let name: string;
    let value: string | undefined;
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      if (eq >= 0) value = w.slice(eq + 1);
    } else {
      const letters = w.slice(1);
      if (IGNORED.has(letters)) continue;
      const letter = letters[0];
      name = SHORT[letter] ?? letter;
      if (letters.length > 1) {
        if (SHORT[letter]) value = letters.slice(1);
        else if ([...letters].every((l) => IGNORED.has(l))) continue;
      }
    }
    if (IGNORED.has(name)) continue;
    if (VALUE_FLAGS.has(name)) {
      if (value === undefined) value = words[++i];
      if (value === undefined) throw new ValidationError(`--${name} needs a value`);
      (values[name] ??= []).push(value);
    } else {
      const takesValue = value === undefined && words[i + 1] && !words[i + 1].startsWith("-") &&
        i + 2 < words.length;
      warnings.push(`--${name}${value !== undefined ? `=${value}` : ""} is not converted`);
      if (takesValue && !name.includes("privileged") && !name.startsWith("no-")) {
        // Guess: an unknown flag followed by a word before the image probably took it.
        warnings[warnings.length - 1] += ` (its value "${words[i + 1]}" was skipped too)`;
        i++;
      }
    }
  }
  if (!image) throw new ValidationError("No image found in the command");
  const args = words.slice(i);
  const last = (k: string) => values[k]?.at(-1);
  const svcName = (last("name") ?? image.split("/").at(-1)!.split(/[:@]/)[0])
    .replace(/[^a-zA-Z0-9_.-]/g, "-");
  const service: Record<string, unknown> = { image };
  if (last("name")) service.container_name = last("name");
  if (last("hostname")) service.hostname = last("hostname");
  if (args.length) service.command = args;
  if (last("entrypoint") !== undefined) service.entrypoint = shellWords(last("entrypoint")!);
  if (values.publish) service.ports = values.publish;
  if (values.volume) service.volumes = values.volume;
  if (values.env) {
    service.environment = Object.fromEntries(values.env.map((e) => {
      const eq = e.indexOf("=");
      return eq < 0 ? [e, null] : [e.slice(0, eq), e.slice(eq + 1)];
    }));
  }
  if (values["env-file"]) service.env_file = values["env-file"];
  if (last("restart")) service.restart = last("restart");
  if (values.label) {
    service.labels = Object.fromEntries(values.label.map((l) => {
      const eq = l.indexOf("=");
      return eq < 0 ? [l, ""] : [l.slice(0, eq), l.slice(eq + 1)];
    }));
  }
  if (last("user")) service.user = last("user");
  if (last("workdir")) service.working_dir = last("workdir");
  if (values["cap-add"]) service.cap_add = values["cap-add"];
  if (values["cap-drop"]) service.cap_drop = values["cap-drop"];
  if (last("memory")) service.mem_limit = last("memory");
  if (last("cpus")) service.cpus = Number(last("cpus"));
  if (values["add-host"]) service.extra_hosts = values["add-host"];
  const network = last("network");
  const top: Record<string, unknown> = {};
  if (network && !["bridge", "default"].includes(network)) {
    if (["host", "none"].includes(network) || network.startsWith("container:")) {
      service.network_mode = network;
    } else {
      service.networks = last("ip") ? { [network]: { ipv4_address: last("ip") } } : [network];
      top.networks = { [network]: { external: true } };
    }
  } else if (last("ip")) warnings.push("--ip needs a user-defined --network; it was left out");
  if (values["health-cmd"]) {
    const health: Record<string, unknown> = { test: ["CMD-SHELL", last("health-cmd")] };
    if (last("health-interval")) health.interval = last("health-interval");
    if (last("health-timeout")) health.timeout = last("health-timeout");
    if (last("health-retries")) health.retries = Number(last("health-retries"));
    if (last("health-start-period")) health.start_period = last("health-start-period");
    service.healthcheck = health;
  }
  const named = [
    ...new Set(
      (values.volume ?? []).filter((v) => v.includes(":")).map((v) => v.split(":")[0])
        .filter((src) => !/^[/.~]/.test(src)),
    ),
  ];
  if (named.length) top.volumes = Object.fromEntries(named.map((n) => [n, {}]));
  const doc = { services: { [svcName]: service }, ...top };
  return { yaml: stringify(doc, { lineWidth: 0 }), service: svcName, warnings };
}

/**
 * The hardware profile (DockerMate's): a Raspberry Pi, or LOW / MEDIUM / HIGH / ENTERPRISE by
 * cores and memory, each with a container budget that sizes networks and warns before the
 * host is overloaded.
 */

/** Hardware profiles. */
export const PROFILES = ["PI", "LOW", "MEDIUM", "HIGH", "ENTERPRISE"] as const;
/** One profile. */
export type HardwareProfile = (typeof PROFILES)[number];

/** Containers each profile is planned for (`null`: no limit). */
export const CONTAINER_BUDGET: Record<HardwareProfile, number | null> = {
  PI: 15,
  LOW: 25,
  MEDIUM: 50,
  HIGH: 100,
  ENTERPRISE: null,
};

/** What the profile was decided from. */
export interface HardwareFacts {
  cores: number;
  memoryBytes: number;
  /** The device-tree model or kernel release that marks a Raspberry Pi, when found. */
  piHint?: string;
}

/** The profile for the facts: a Pi first, then by cores and memory. */
export function profileFor(f: HardwareFacts): HardwareProfile {
  if (f.piHint) return "PI";
  const gib = f.memoryBytes / 2 ** 30;
  if (f.cores <= 2 || gib < 4) return "LOW";
  if (f.cores <= 4 || gib < 16) return "MEDIUM";
  if (f.cores <= 16 || gib < 64) return "HIGH";
  return "ENTERPRISE";
}

/** Kernel releases of Raspberry Pi OS and Ubuntu for the Pi (`6.1.21-v8+`, `…-raspi`). */
const PI_KERNEL = /(-v[678]l?\+|rpi|raspi)/i;

/**
 * Reads the facts of this machine: cores and memory from Deno, a Pi from its device tree
 * (when readable) or the engine's kernel release.
 */
export async function detectHardware(engineKernel?: string): Promise<HardwareFacts> {
  const cores = navigator.hardwareConcurrency || 1;
  let memoryBytes = 0;
  try {
    memoryBytes = Deno.systemMemoryInfo().total;
  } catch {
    // not granted: profile by cores alone
  }
  let piHint: string | undefined;
  try {
    const model = (await Deno.readTextFile("/proc/device-tree/model")).replace(/\0/g, "");
    if (/raspberry pi/i.test(model)) piHint = model.trim();
  } catch {
    // no device tree, or not readable in the sandbox
  }
  const kernel = engineKernel ?? "";
  if (!piHint && PI_KERNEL.test(kernel)) piHint = `kernel ${kernel}`;
  return { cores, memoryBytes, piHint };
}

/** This host's profile, detected once (lazily) per process. Construct once. */
export class HardwareProfileService {
  #facts?: Promise<HardwareFacts>;

  constructor(private readonly engineKernel: () => Promise<string | undefined>) {}

  /** The facts, the profile and its container budget. */
  async get(): Promise<{ facts: HardwareFacts; profile: HardwareProfile; budget: number | null }> {
    this.#facts ??= this.engineKernel().catch(() => undefined).then((k) => detectHardware(k));
    const facts = await this.#facts;
    const profile = profileFor(facts);
    return { facts, profile, budget: CONTAINER_BUDGET[profile] };
  }
}

/** Check intervals a profile starts with (the user can change them in Settings). */
export const PROFILE_INTERVALS: Record<
  HardwareProfile,
  { healthIntervalSeconds: number; updateCheckHours: number }
> = {
  PI: { healthIntervalSeconds: 900, updateCheckHours: 12 },
  LOW: { healthIntervalSeconds: 600, updateCheckHours: 12 },
  MEDIUM: { healthIntervalSeconds: 300, updateCheckHours: 6 },
  HIGH: { healthIntervalSeconds: 120, updateCheckHours: 4 },
  ENTERPRISE: { healthIntervalSeconds: 60, updateCheckHours: 2 },
};

/** Engine event types, their valid actions, and the event shape the UI receives. */
import { z } from "zod";

/** Actions the engine reports per object type (Engine API "System events"). */
export const EVENT_ACTIONS = {
  container: [
    "attach",
    "commit",
    "copy",
    "create",
    "destroy",
    "detach",
    "die",
    "exec_create",
    "exec_detach",
    "exec_start",
    "exec_die",
    "export",
    "health_status",
    "kill",
    "oom",
    "pause",
    "rename",
    "resize",
    "restart",
    "start",
    "stop",
    "top",
    "unpause",
    "update",
  ],
  image: ["delete", "import", "load", "pull", "push", "save", "tag", "untag"],
  volume: ["create", "destroy", "mount", "unmount"],
  network: ["create", "connect", "destroy", "disconnect", "remove"],
  daemon: ["reload"],
} as const;

/** Object types Bosun filters events by. */
export const EVENT_TYPES = Object.keys(EVENT_ACTIONS) as (keyof typeof EVENT_ACTIONS)[];

/** One engine event as the API sends it. */
export const EngineEventDtoSchema = z.object({
  type: z.string(),
  action: z.string(),
  id: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
  time: z.string(),
});
/** One engine event as the API sends it. */
export type EngineEventDto = z.infer<typeof EngineEventDtoSchema>;

/** Container shapes shared by the API, the pages and the islands. */
import { z } from "zod";

/** A published or exposed port. */
export const PortSchema = z.object({
  ip: z.string().optional(),
  privatePort: z.number(),
  publicPort: z.number().optional(),
  type: z.string(),
});

/** One container in a list. */
export const ContainerRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: z.string(),
  status: z.string(),
  created: z.string(),
  ports: z.array(PortSchema),
});
/** One container in a list. */
export type ContainerRow = z.infer<typeof ContainerRowSchema>;

/** Props of the containers table island. */
export const ContainerTablePropsSchema = z.object({ containers: z.array(ContainerRowSchema) });
/** Props of the containers table island. */
export type ContainerTableProps = z.infer<typeof ContainerTablePropsSchema>;

/** "0.0.0.0:8080->80/tcp" style text of a port, as `docker ps` shows it. */
export function formatPort(p: z.infer<typeof PortSchema>): string {
  const inner = `${p.privatePort}/${p.type}`;
  if (!p.publicPort) return inner;
  const host = p.ip && p.ip.includes(":") ? `[${p.ip}]` : p.ip ?? "0.0.0.0";
  return `${host}:${p.publicPort}->${inner}`;
}

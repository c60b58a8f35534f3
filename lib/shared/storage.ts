/** Storage target schemas shared by the server and Settings → Storage. */
import { z } from "zod";

/** An S3-compatible bucket (AWS, MinIO, Garage, Backblaze B2, …). */
export const S3TargetSchema = z.object({
  name: z.string().trim().min(1).max(64),
  endpoint: z.url({ protocol: /^https?$/, message: "an http(s) URL" }).max(512),
  region: z.string().min(1).max(64).default("us-east-1"),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
  prefix: z.string().max(256).regex(/^([^/].*\/)?$/, "empty, or ending with / (no leading /)")
    .default(""),
  pathStyle: z.boolean().default(true),
  accessKeyId: z.string().min(1).max(256),
  /** Write-only; empty or absent on update keeps the stored one. */
  secretAccessKey: z.string().max(512).optional(),
}).strict();
/** An S3 target as saved. */
export type S3TargetInput = z.infer<typeof S3TargetSchema>;

/** A target as the API shows it (no secret). */
export interface TargetView {
  id: number;
  name: string;
  endpoint: string;
  region: string;
  bucket: string;
  prefix: string;
  pathStyle: boolean;
  accessKeyId: string;
  hasSecret: true;
}

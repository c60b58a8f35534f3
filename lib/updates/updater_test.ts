import assert from "node:assert/strict";
import { isCriticalFailure } from "./updater.ts";
import { rebaseOnImage } from "../containers/recreate.ts";
import { DockerUnavailableError } from "../docker/errors.ts";

Deno.test("rebase: values inherited from the old image are dropped, the user's kept", () => {
  const image = {
    Cmd: ["/bin/server"],
    Entrypoint: null,
    Env: ["PATH=/bin", "APP_MODE=prod"],
    Labels: { "org.version": "1" },
    ExposedPorts: { "80/tcp": {} },
    WorkingDir: "/app",
    User: "",
  };
  const container = {
    Cmd: ["/bin/server"],
    Env: ["PATH=/bin", "APP_MODE=dev", "TOKEN=x"],
    Labels: { "org.version": "1", "bosun.environment": "DEV" },
    ExposedPorts: { "80/tcp": {}, "9000/tcp": {} },
    WorkingDir: "/app",
    User: "1000",
    Healthcheck: { Test: ["CMD", "true"] },
  };
  const out = rebaseOnImage(container, image);
  assert.equal(out.Cmd, null, "the new image's command applies");
  assert.equal(out.WorkingDir, null);
  assert.equal(out.User, undefined, "a user the container set is kept (not in the changes)");
  assert.equal(out.Healthcheck, undefined, "a container healthcheck is kept");
  assert.deepEqual(out.Env, ["APP_MODE=dev", "TOKEN=x"]);
  assert.deepEqual(out.Labels, { "bosun.environment": "DEV" });
  assert.deepEqual(out.ExposedPorts, { "9000/tcp": {} });
});

Deno.test("rebase: a command the user set survives", () => {
  const out = rebaseOnImage({ Cmd: ["sleep", "99"], Env: ["A=1"] }, { Cmd: ["/bin/sh"], Env: [] });
  assert.equal(out.Cmd, undefined);
  assert.equal(out.Env, undefined, "no env entry came from the image");
});

Deno.test("critical failures: engine gone, disk full; a rollback is not one", () => {
  assert.ok(isCriticalFailure(new DockerUnavailableError("unix:///x")));
  assert.ok(isCriticalFailure(new Error("write /var/lib/docker/x: no space left on device")));
  assert.ok(!isCriticalFailure(new Error("the new container is exited (exit code 1)")));
});
